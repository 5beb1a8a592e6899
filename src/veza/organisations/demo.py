"""The demonstration data set: invented organisations and accounts for every role.

Everything here is marked `is_demo` and refused on production instances. Running it again adds
what is missing and changes nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError
from veza.core.services import user_create
from veza.organisations.choices import OrganisationType as T
from veza.organisations.choices import RoleCode as R
from veza.organisations.choices import Sector as S
from veza.organisations.models import Membership, Organisation, Participant, Role
from veza.organisations.services import membership_create, organisation_create

ACTOR = "demo"

__all__ = ["DEMO_PASSWORD", "demo_accounts", "demo_load"]

#: Every demo account has this password (and a second factor: `veza otp-code USER`).
DEMO_PASSWORD = "veza-demo-2026"  # noqa: S105  (published in the README on purpose)

CITIES = {
    "AL": ("Tirana", "Durrës"),
    "BA": ("Sarajevo", "Bihać"),
    "XK": ("Prishtina", "Prizren"),
    "ME": ("Podgorica", "Bar"),
    "MK": ("Skopje", "Gevgelija"),
    "RS": ("Belgrade", "Subotica"),
}

# (key, sector, type, name pattern). Names are invented for the demonstration.
ORGANISATIONS = [
    ("police", S.POLICE, T.PUBLIC_BODY, "{city} Police Directorate (demo)"),
    (
        "border",
        S.BORDER_ASYLUM_RECEPTION,
        T.PUBLIC_BODY,
        "{town} Border and Reception Point (demo)",
    ),
    ("social", S.SOCIAL_WELFARE, T.PUBLIC_BODY, "Centre for Social Work {city} (demo)"),
    ("health", S.HEALTH, T.PUBLIC_BODY, "{city} General Hospital, Emergency Department (demo)"),
    ("labour", S.LABOUR_INSPECTION, T.PUBLIC_BODY, "Labour Inspectorate, {city} Office (demo)"),
    ("employment", S.EMPLOYMENT_SERVICES, T.PUBLIC_BODY, "Employment Office {city} (demo)"),
    ("school", S.EDUCATION, T.PUBLIC_BODY, "Secondary School No. 3 {town} (demo)"),
    ("shelter", S.SHELTER_PROTECTION, T.CSO, "Safe House {city} (demo)"),
    ("outreach", S.CSO_OUTREACH, T.CSO, "Open Door Outreach {town} (demo)"),
    ("identification", S.IDENTIFICATION_BODY, T.PUBLIC_BODY, "Victim Identification Team (demo)"),
    (
        "coordination",
        S.NATIONAL_COORDINATOR,
        T.PUBLIC_BODY,
        "National Anti-Trafficking Office (demo)",
    ),
    ("interpreting", S.INTERPRETER_SERVICE, T.CSO, "Community Interpreting Service {city} (demo)"),
]

# (username suffix, role, organisation key, first name, last name)
ACCOUNTS = [
    ("frontline", R.FRONTLINE_PROFESSIONAL, "health", "Dana", "Frontline"),
    ("police", R.FRONTLINE_PROFESSIONAL, "police", "Pavle", "Patrol"),
    ("casemanager", R.CASE_MANAGER, "social", "Mira", "Casework"),
    ("identification", R.IDENTIFICATION_OFFICER, "identification", "Ilir", "Panel"),
    ("provider", R.SERVICE_PROVIDER, "shelter", "Sara", "Shelter"),
    ("coordinator", R.NATIONAL_COORDINATOR, "coordination", "Nora", "Coordinator"),
    ("interpreters", R.INTERPRETER_COORDINATOR, "interpreting", "Ivo", "Interpreting"),
    ("policy", R.POLICY_OFFICER, "coordination", "Petra", "Policy"),
]


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, role code, organisation key or HUB) for every demo account, in display order."""
    rows = [
        ("admin", R.ADMINISTRATOR.value, "HUB"),
        ("hub.analyst", R.REGIONAL_ANALYST.value, "HUB"),
    ]
    for code in CITIES:
        rows += [
            (f"{code.lower()}.{suffix}", role.value, key) for suffix, role, key, _f, _l in ACCOUNTS
        ]
    return rows


def _user(username: str, first: str, last: str, language: str = ""):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = user_create(
            actor=ACTOR,
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            language=language,
            is_demo=True,
            validate=False,
        )
        TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
    return user


def _member(user, organisation, role_code) -> None:
    role = Role.objects.get(code=role_code)
    if not Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        membership_create(actor=ACTOR, user=user, organisation=organisation, role=role)


def _organisation(participant, name, **fields):
    existing = Organisation.objects.filter(participant=participant, name=name).first()
    if existing is not None:
        return existing, False
    organisation = organisation_create(actor=ACTOR, participant=participant, name=name, **fields)
    Organisation.objects.filter(pk=organisation.pk).update(is_demo=True)
    return organisation, True


@transaction.atomic
def demo_load(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    counts = {"organisations": 0, "users": 0}
    hub = Participant.objects.get(code="HUB")
    centre, created = _organisation(
        hub, "Regional Centre (demo)", sector=S.REGIONAL_CENTRE, type=T.INTERNATIONAL, city="Skopje"
    )
    counts["organisations"] += int(created)
    admin = _user("admin", "Ada", "Administrator")
    _member(admin, centre, R.ADMINISTRATOR)
    analyst = _user("hub.analyst", "Rea", "Analyst")
    _member(analyst, centre, R.REGIONAL_ANALYST)
    languages = {"AL": "sq", "BA": "bs", "XK": "sq", "ME": "sr-latn", "MK": "mk", "RS": "sr-latn"}
    for index, (code, (city, town)) in enumerate(CITIES.items(), start=1):
        participant = Participant.objects.get(code=code)
        organisations = {}
        for key, sector, kind, pattern in ORGANISATIONS:
            organisations[key], created = _organisation(
                participant,
                pattern.format(city=city, town=town),
                sector=sector,
                type=kind,
                city=city,
            )
            counts["organisations"] += int(created)
        for suffix, role, key, first, last in ACCOUNTS:
            user = _user(f"{code.lower()}.{suffix}", first, f"{last} {code}", languages[code])
            _member(user, organisations[key], role)
        if progress:
            progress(index, len(CITIES), code)
    counts["users"] = get_user_model().objects.filter(is_demo=True).count()
    audit_log("demo.load", actor="system", detail=counts)
    some = ", ".join(username for username, _role, _org in demo_accounts()[:4])
    counts["lines"] = [
        f"Demo data ready: {counts['organisations']} new organisation(s), "
        f"{counts['users']} demo accounts. Password for all: {DEMO_PASSWORD}",
        f"Some accounts: {some}, …",
        "Login code for an account: veza otp-code USERNAME",
    ]
    return counts
