"""Object level (SECURITY.md row 9), generated from the URL configuration: every page and API
route that takes an id is asked — GET and POST — for the ids of records of other organisations,
by a person holding every organisation-scoped role in an organisation of their own that holds
nothing. Each must refuse (403/404/405, or a redirect that refuses); only the reviewed routes of
records that are not about a person (the directory, content, plans) may answer.

The whole demo is the other organisations' data: every kind of record exists, with low ids.
"""

import contextlib

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from tests.factories import login_verified, make_organisation, make_user
from tests.test_url_walk import named_patterns
from veza.organisations.services import membership_create

pytestmark = pytest.mark.django_db

#: Roles that work inside their own organisation (a coordinator's or analyst's wider view is
#: their purpose and tested with their own apps).
SCOPED_ROLES = ("frontline_professional", "case_manager", "identification_officer")
EXTRA_ROLES = ("service_provider",)

#: Routes whose records are not about a person and are open to every professional, with why.
SHARED_RECORDS = {
    "organisations:detail": "the directory of organisations",
    "api:organisation-detail": "the directory of organisations",
    "api:participant-detail": "the six participants",
    "referrals:service": "the directory of services",
    "api:service-detail": "the directory of services",
    "api:indicator-set-detail": "published indicator lists",
    "api:questionnaire-detail": "published questionnaires",
    "indicators:questionnaire-detail": "published questionnaires",
    "indicators:set-detail": "published indicator lists",
    "indicators:rule-detail": "published decision rules",
    "api:interpreter-detail": "the joint pool's interpreters (professionals offering a service)",
    "knowledge:detail": "published guidance documents, shared by every professional",
    "knowledge:pdf": "the PDFs of published guidance documents",
}


def id_routes():
    """(name, argument names) of every named route with an integer argument."""
    found = set()
    for name, pattern in named_patterns():
        converters = getattr(pattern.pattern, "converters", {})
        if any(type(c).__name__ == "IntConverter" for c in converters.values()) or (
            "(?P<pk>" in str(pattern.pattern)
        ):
            found.add((name, tuple(pattern.pattern.regex.groupindex)))
    return sorted(found)


def paths(name, args, ids):
    for value in ids:
        kwargs = {a: value if a not in ("format", "lang", "language") else "en" for a in args}
        with contextlib.suppress(NoReverseMatch):  # an argument of another shape: not this walk's
            yield reverse(name, kwargs=kwargs)


def refused(client, response):
    if response.status_code in (400, 401, 403, 404, 405):
        return True
    if response.status_code == 302:
        return response["Location"].startswith(("/login/", "/admin/login/"))
    return False


def test_no_route_opens_another_organisations_record(client):
    from veza.cases.models import Case
    from veza.organisations.models import Role
    from veza.referrals.models import Referral

    call_command("demo", verbosity=0)
    case = Case.objects.filter(participant__code="RS").order_by("pk").first()
    referral = Referral.objects.filter(case__participant__code="RS").order_by("pk").first()
    screening = case.screenings.first()
    # Low ids (every kind of record has them) and the ids of one Serbian case and its records,
    # so that a stranger of the same participant is tried as well.
    ids = sorted({1, 2, case.pk, referral.pk, screening.pk})

    own = make_organisation("RS", name="An organisation with no records (test)")
    stranger = make_user("stranger", role=SCOPED_ROLES[0], organisation=own)
    for code in SCOPED_ROLES[1:] + EXTRA_ROLES:
        membership_create(
            actor="test", user=stranger, organisation=own, role=Role.objects.get(code=code)
        )
    login_verified(client, stranger)
    routes = [r for r in id_routes() if not r[0].startswith("admin:")]
    assert len(routes) > 40
    opened = []
    for name, args in routes:
        if name in SHARED_RECORDS:
            continue
        for path in paths(name, args, ids):
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if not refused(client, response):
                    opened.append(f"{method.upper()} {path} ({name}) → {response.status_code}")
    assert not opened, "\n".join(opened)

    # The same walk by the organisation that owns the case opens it: the ids are real.
    client.logout()
    login_verified(client, make_user(role="case_manager", organisation=case.organisation))
    seen = {
        name
        for name, args in routes
        for path in paths(name, args, [case.pk])
        if client.get(path).status_code == 200
    }
    assert {"cases:detail", "cases:identity", "api:case-detail"} <= seen, sorted(seen)
