"""Scale data, part 1: the staff of the participant's demo organisations.

About one professional account per 300 cases (at least three in every organisation that handles
cases), named `scale.<organisation>.<n>`, with the demo password and a login device like the demo
accounts. The password is hashed once for all of them: thousands of argon2 hashes would take
minutes and prove nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.core.audit import audit_log_bulk
from veza.core.errors import ValidationError
from veza.organisations.choices import RoleCode as R
from veza.organisations.choices import Sector as S
from veza.organisations.demo import ACTOR, DEMO_PASSWORD
from veza.organisations.models import Membership, Organisation, Role

__all__ = ["STAFF", "scale_staff"]

#: Demo organisation (by sector): short name, the role of its scale staff, its share of the staff
#: (and, for organisations that screen, of the cases they open), and the fewest accounts.
STAFF = {
    S.SOCIAL_WELFARE: ("social", R.CASE_MANAGER, 30, 3),
    S.POLICE: ("police", R.FRONTLINE_PROFESSIONAL, 20, 3),
    S.BORDER_ASYLUM_RECEPTION: ("border", R.FRONTLINE_PROFESSIONAL, 15, 3),
    S.CSO_OUTREACH: ("outreach", R.SERVICE_PROVIDER, 10, 3),
    S.SHELTER_PROTECTION: ("shelter", R.SERVICE_PROVIDER, 7, 3),
    S.IDENTIFICATION_BODY: ("identification", R.IDENTIFICATION_OFFICER, 6, 3),
    S.HEALTH: ("health", R.FRONTLINE_PROFESSIONAL, 5, 3),
    S.LABOUR_INSPECTION: ("labour", R.FRONTLINE_PROFESSIONAL, 4, 3),
    S.EDUCATION: ("school", R.FRONTLINE_PROFESSIONAL, 2, 3),
    S.EMPLOYMENT_SERVICES: ("employment", R.FRONTLINE_PROFESSIONAL, 1, 3),
    S.NATIONAL_COORDINATOR: ("coordination", R.NATIONAL_COORDINATOR, 1, 2),
}
CASES_PER_ACCOUNT = 300


def _plan(n: int) -> list[tuple[str, str, str]]:
    """(username, sector, role) of every scale account for `n` cases, in a fixed order."""
    total = -(-n // CASES_PER_ACCOUNT)
    rows = []
    for sector, (short, role, share, fewest) in STAFF.items():
        for number in range(1, max(fewest, round(total * share / 100)) + 1):
            rows.append((f"scale.{short}.{number}", sector, role))
    return rows


def scale_staff(run) -> None:
    """Create the missing staff accounts; share them as `run.shared["staff"]` (sector → users)
    and the organisations as `run.shared["organisations"]` (sector → organisation)."""
    organisations = {
        o.sector: o
        for o in Organisation.objects.filter(
            participant__code=run.participant_code, is_demo=True
        ).select_related("participant")
    }
    missing_orgs = [s for s in STAFF if s not in organisations]
    if missing_orgs:
        raise ValidationError("Run `veza demo` first: the demo organisations are missing.")
    plan = _plan(run.n)
    User = get_user_model()
    have = set(
        User.objects.filter(username__in=[u for u, _s, _r in plan]).values_list(
            "username", flat=True
        )
    )
    new = [row for row in plan if row[0] not in have]
    if new:
        password = make_password(DEMO_PASSWORD)
        users = User.objects.bulk_create(
            [
                User(
                    username=username,
                    password=password,
                    first_name="Scale",
                    last_name=f"{STAFF[sector][0].title()} {username.rsplit('.', 1)[1]}",
                    is_demo=True,
                )
                for username, sector, _role in new
            ]
        )
        users = {u.username: u for u in User.objects.filter(username__in=[r[0] for r in new])}
        roles = {r.code: r for r in Role.objects.all()}
        TOTPDevice.objects.bulk_create(
            [TOTPDevice(user=u, name="demo authenticator", confirmed=True) for u in users.values()]
        )
        memberships = Membership.objects.bulk_create(
            [
                Membership(user=users[u], organisation=organisations[s], role=roles[r])
                for u, s, r in new
            ]
        )
        audit = []
        for (username, sector, role), membership in zip(new, memberships, strict=True):
            user = users[username]
            audit.append({"action": "user.create", "actor": ACTOR, "obj": user})
            audit[-1]["detail"] = {"demo": True}
            audit.append(
                {
                    "action": "membership.create",
                    "actor": ACTOR,
                    "obj": ("organisations.membership", membership.pk or ""),
                    "organisation_id": organisations[sector].pk,
                    "detail": {"user_id": user.pk, "role": role},
                }
            )
        audit_log_bulk(audit)
        run.count("staff accounts", len(new))
    users = User.objects.in_bulk([u for u, _s, _r in plan], field_name="username")
    staff: dict[str, list] = {}
    for username, sector, _role in plan:
        staff.setdefault(sector, []).append(users[username])
    run.shared["staff"] = staff
    run.shared["organisations"] = organisations
