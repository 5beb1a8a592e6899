"""Every API endpoint through the permission mixin (see tests/permissions.py)."""

import pytest
from django.urls import reverse

from tests.factories import (
    login_verified,
    make_case,
    make_organisation,
    make_screening,
    make_user,
)
from tests.permissions import Endpoint, PermissionChecks, call
from tests.test_url_walk import named_patterns

pytestmark = pytest.mark.django_db


def _org_pair(organisation, other_org):
    return {"pk": organisation.pk}, {"pk": other_org.pk}


def _participant_pair(organisation, other_org):
    return {"pk": organisation.participant_id}, None


def _result_ids(body):
    return {row["id"] for row in body["results"]}


def _row_organisations(body):
    return {row["organisation"] for row in body["results"]}


def _content_pair(model):
    def pair(organisation, other_org):
        return {"pk": model.objects.order_by("pk").first().pk}, None

    return pair


def _screening_pair(organisation, other_org):
    own = make_screening(organisation)
    other = make_screening(other_org)
    return {"pk": own.pk}, {"pk": other.pk}


def _screening_ids(organisation, other_org):
    # Lists: a screening of each organisation exists; only the own one may be listed.
    make_screening(organisation)
    make_screening(other_org)


def _version_of(pk):
    from veza.screening.models import Screening

    return {"version": Screening.objects.get(pk=pk).version}


SCREENER = "frontline_professional"
CASE_WORKER = "case_manager"


def _case_pair(organisation, other_org):
    return {"pk": make_case(organisation).pk}, {"pk": make_case(other_org).pk}


def _cases_both(organisation, other_org):
    make_case(organisation)
    make_case(other_org)


def _case_version(own):
    from veza.cases.models import Case

    return {"version": Case.objects.get(pk=own["pk"]).version, "age": 33}


def _consent_pair(organisation, other_org):
    from veza.cases.services import consent_record

    def consent(org):
        case = make_case(org)
        manager = make_user(role="case_manager", organisation=org)
        return consent_record(
            actor=manager, case=case, purpose="assistance", information_version="v1"
        ).pk

    return {"pk": consent(organisation)}, {"pk": consent(other_org)}


def _service_pair(organisation, other_org):
    from tests.factories import make_service

    return {"pk": make_service(organisation, "health").pk}, {
        "pk": make_service(other_org, "health").pk
    }


def _services_both(organisation, other_org):
    from tests.factories import make_service

    make_service(organisation, "legal_aid")
    make_service(other_org, "legal_aid")


def _rows_from(body):
    return {row["from_organisation"] for row in body["results"]}


def _referral(org, *, recipient_side):
    """A referral in `org`'s participant: from `org` (sender side) or to `org` (recipient side)."""
    from tests.factories import make_service
    from veza.referrals.services import referral_send

    partner = make_organisation(org.participant.code, sector="shelter_protection")
    sender_org, receiver_org = (partner, org) if recipient_side else (org, partner)
    service = make_service(receiver_org, "shelter")
    sender = make_user(role="case_manager", organisation=sender_org)
    case = make_case(sender_org, user=sender)
    return referral_send(
        actor=sender,
        case=case,
        service=service,
        reason="Bed",
        urgency="urgent",
        override_reason="test",
    )


def _referral_pair_to(organisation, other_org):
    return (
        {"pk": _referral(organisation, recipient_side=True).pk},
        {"pk": _referral(other_org, recipient_side=True).pk},
    )


def _referral_pair_from(organisation, other_org):
    return (
        {"pk": _referral(organisation, recipient_side=False).pk},
        {"pk": _referral(other_org, recipient_side=False).pk},
    )


def _referrals_both(organisation, other_org):
    _referral(organisation, recipient_side=False)
    _referral(other_org, recipient_side=False)


def _referral_version(own):
    from veza.referrals.models import Referral

    return {"version": Referral.objects.get(pk=own["pk"]).version}


def _row_organisations_plain(body):
    return {row["organisation"] for row in body["results"]}


def _accepted_pair_to(organisation, other_org):
    from veza.referrals.services import referral_accept

    pair = _referral_pair_to(organisation, other_org)
    for ids, org in ((pair[0], organisation), (pair[1], other_org)):
        from veza.referrals.models import Referral

        referral = Referral.objects.get(pk=ids["pk"])
        responder = make_user(role="service_provider", organisation=org)
        referral_accept(actor=responder, referral=referral)
    return pair


def _referral_create_body(organisation, user):
    from tests.factories import make_service
    from veza.cases.models import Case

    case = (
        make_case(organisation, user=user)
        if user.has_perm("cases.add_case")
        else (Case.objects.filter(organisation=organisation).first() or make_case(organisation))
    )
    service = make_service(make_organisation(organisation.participant.code), "legal_aid")
    return {
        "case": case.pk,
        "service": service.pk,
        "reason": "Advice",
        "urgency": "routine",
        "override_reason": "test",
    }


def _identification_pair(organisation, other_org):
    # The identification officer's own organisation holds the case here; a case elsewhere is
    # invisible to it until a referral (next issue) shares it.
    return _case_pair(organisation, other_org)


from veza.indicators.models import IndicatorSet, Questionnaire  # noqa: E402


def _pool_interpreter(organisation=None, other_org=None):
    from tests.interpreters.test_booking import make_interpreter

    return make_interpreter("API interpreter")


def _interpreter_pair(organisation, other_org):
    return {"pk": _pool_interpreter().pk}, None


def _interpreter_requests(organisation, other_org):
    from datetime import timedelta

    from django.utils import timezone

    from veza.interpreters.models import InterpreterRequest

    start = timezone.now() + timedelta(days=1)
    made = []
    for org in (organisation, other_org):
        made.append(
            InterpreterRequest.objects.create(
                organisation=org,
                participant=org.participant,
                languages=["pus"],
                target_language="srp",
                start=start,
                end=start + timedelta(hours=1),
                setting="medical",
            )
        )
    return made


def _interpreter_request_pair(organisation, other_org):
    own, other = _interpreter_requests(organisation, other_org)
    return {"pk": own.pk}, {"pk": other.pk}


def _interpreter_request_body(organisation, user):
    return {
        "languages": ["pus"],
        "target_language": "srp",
        "start": "2030-01-10T10:00:00Z",
        "hours": 2,
        "setting": "police_interview",
    }


def _book_body(own):
    return {"interpreter": _pool_interpreter().pk}


def _bookings(status):
    def pair(organisation, other_org):
        from veza.interpreters.models import Booking

        made = []
        for item in _interpreter_requests(organisation, other_org):
            made.append(
                Booking.objects.create(
                    request=item,
                    interpreter=_pool_interpreter(),
                    start=item.start,
                    end=item.end,
                    status=status,
                )
            )
        return {"pk": made[0].pk}, {"pk": made[1].pk}

    return pair


def _booking_rows(organisation, other_org):
    _bookings("proposed")(organisation, other_org)


def _booking_request_organisations(body):
    from veza.interpreters.models import Booking

    ids = [row["id"] for row in body["results"]]
    return set(
        Booking.objects.filter(pk__in=ids).values_list("request__organisation_id", flat=True)
    )


def _interpreter_of(org):
    from tests.interpreters.test_booking import make_interpreter

    return make_interpreter(
        f"Interpreter of {org.name}", participant=org.participant.code, organisation=org
    )


def _registry_pair(organisation, other_org):
    return {"pk": _interpreter_of(organisation).pk}, {"pk": _interpreter_of(other_org).pk}


def _registry_body(organisation, user):
    return {
        "name": "New interpreter",
        "gender": "male",
        "skills": [{"language": "ara", "proficiency": 5, "dialects": ["Levantine"]}],
        "target_languages": ["srp"],
    }


def _slots(organisation, other_org):
    from datetime import timedelta

    from django.utils import timezone

    from veza.interpreters.models import Availability

    start = timezone.now() + timedelta(days=2)
    made = [
        Availability.objects.create(
            interpreter=_interpreter_of(org), start=start, end=start + timedelta(hours=8)
        )
        for org in (organisation, other_org)
    ]
    return {"pk": made[0].pk}, {"pk": made[1].pk}


def _slot_organisations(body):
    from veza.interpreters.models import Availability

    ids = [row["id"] for row in body["results"]]
    return set(
        Availability.objects.filter(pk__in=ids).values_list(
            "interpreter__organisation_id", flat=True
        )
    )


def _slot_body(organisation, user):
    from veza.interpreters.models import Interpreter

    own = Interpreter.objects.filter(organisation=organisation).first() or _interpreter_of(
        organisation
    )
    return {"interpreter": own.pk, "start": "2030-02-01T08:00:00Z", "end": "2030-02-01T16:00:00Z"}


# --- Recommendations and action plans (scoped by participant) ---------------------------------

POLICY = "policy_officer"


def _participant_orgs(codes):
    """The organisations of the participants named in rows: the harness checks organisations."""
    from veza.organisations.models import Organisation

    return set(
        Organisation.objects.filter(participant__code__in=codes).values_list("pk", flat=True)
    )


def _rows_by_participant(body):
    return _participant_orgs({row["participant"] for row in body["results"]})


def _comparison_orgs(body):
    return _participant_orgs({row["participant"] for row in body["comparison"]})


def _measure_rows(body):
    from veza.recommendations.models import Measure

    ids = [row["id"] for row in body["results"]]
    return _participant_orgs(
        Measure.objects.filter(pk__in=ids).values_list(
            "objective__strategy__participant__code", flat=True
        )
    )


def _report_rows(body):
    from veza.recommendations.models import ProgressReport

    ids = [row["id"] for row in body["results"]]
    return _participant_orgs(
        ProgressReport.objects.filter(pk__in=ids).values_list(
            "measure__objective__strategy__participant__code", flat=True
        )
    )


def _recommendation_pair(organisation, other_org):
    from tests.recommendations.helpers import recommendation

    return (
        {"pk": recommendation(organisation.participant.code).pk},
        {"pk": recommendation(other_org.participant.code).pk},
    )


def _recommendations_both(organisation, other_org):
    _recommendation_pair(organisation, other_org)


def _recommendation_body(organisation, user):
    from tests.recommendations.helpers import source

    return {
        "participant": organisation.participant.code,
        "source": source().pk,
        "reference": "1",
        "year": 2024,
        "text": "Screen migrants.",
        "theme": "protection",
    }


def _recommendation_version(own):
    from veza.recommendations.models import Recommendation

    return {"version": Recommendation.objects.get(pk=own["pk"]).version, "priority": "should"}


def _link_body(own):
    from tests.recommendations.helpers import recommendation
    from veza.recommendations.models import Recommendation

    code = Recommendation.objects.get(pk=own["pk"]).participant.code
    return {"other": recommendation(code, year=2019).pk}


def _import_body(own):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.recommendations.test_import import GOOD, csv_bytes

    return {"file": SimpleUploadedFile("recs.csv", csv_bytes(*GOOD), "text/csv")}


def _source_pair(organisation, other_org):
    from tests.recommendations.helpers import source

    return {"pk": source().pk}, None


def _source_body(own):
    import uuid

    return {"body": "greta", "title": f"Report {uuid.uuid4()}", "round_or_year": "2025"}


def _source_version(own):
    from veza.recommendations.models import Source

    return {"version": Source.objects.get(pk=own["pk"]).version, "title": "Renamed"}


def _plan_pair(organisation, other_org):
    from tests.recommendations.helpers import strategy

    return (
        {"pk": strategy(organisation.participant.code).pk},
        {"pk": strategy(other_org.participant.code).pk},
    )


def _plans_both(organisation, other_org):
    _plan_pair(organisation, other_org)


def _plan_body(organisation, user):
    return {
        "participant": organisation.participant.code,
        "title": "Plan",
        "period_start": 2025,
        "period_end": 2027,
    }


def _plan_version(own):
    from veza.recommendations.models import Strategy

    return {"version": Strategy.objects.get(pk=own["pk"]).version, "title": "Renamed plan"}


def _measure_in(organisation):
    from tests.recommendations.helpers import measure, objective, strategy

    return measure(objective(strategy(organisation.participant.code)))


def _measure_pair(organisation, other_org):
    return {"pk": _measure_in(organisation).pk}, {"pk": _measure_in(other_org).pk}


def _measures_both(organisation, other_org):
    _measure_pair(organisation, other_org)


def _measure_body(organisation, user):
    from tests.recommendations.helpers import objective, strategy

    goal = objective(strategy(organisation.participant.code))
    return {"objective": goal.pk, "title": "Measure", "responsible": "Ministry"}


def _measure_version(own):
    from veza.recommendations.models import Measure

    return {"version": Measure.objects.get(pk=own["pk"]).version, "title": "Renamed measure"}


def _reports_both(organisation, other_org):
    from tests.recommendations.helpers import report

    for org in (organisation, other_org):
        report(_measure_in(org), "in_progress")


def _report_body(organisation, user):
    return {
        "measure": _measure_in(organisation).pk,
        "period": "2026 H1",
        "period_end": "2026-06-30",
        "status": "in_progress",
    }


ENDPOINTS = [
    Endpoint("user-me", "frontline_professional", no_other_reason="always the caller"),
    Endpoint("schema", "frontline_professional", no_other_reason="no organisation data"),
    Endpoint("docs", "frontline_professional", no_other_reason="no organisation data"),
    Endpoint("organisation-list", "frontline_professional", ids=_result_ids),
    Endpoint("organisation-detail", "frontline_professional", objects=_org_pair),
    Endpoint("participant-list", "frontline_professional", no_other_reason="public reference list"),
    Endpoint(
        "participant-detail",
        "frontline_professional",
        objects=_participant_pair,
        no_other_reason="public reference list",
    ),
    Endpoint("indicator-set-list", SCREENER, no_other_reason="reference content"),
    Endpoint(
        "indicator-set-detail",
        SCREENER,
        objects=_content_pair(IndicatorSet),
        no_other_reason="reference content",
    ),
    Endpoint("questionnaire-list", SCREENER, no_other_reason="reference content"),
    Endpoint(
        "questionnaire-detail",
        SCREENER,
        objects=_content_pair(Questionnaire),
        no_other_reason="reference content",
    ),
    Endpoint("screening-list", SCREENER, ids=_row_organisations, prepare=_screening_ids),
    Endpoint(
        "screening-list",
        SCREENER,
        method="post",
        ok_status=201,
        payload=lambda own: {"questionnaire": "quick"},
        no_other_reason="creates in the caller's own organisation",
    ),
    Endpoint("screening-detail", SCREENER, objects=_screening_pair),
    Endpoint(
        "screening-detail",
        SCREENER,
        objects=_screening_pair,
        method="patch",
        payload=lambda own: {"answers": {"harmed": "yes"}, **_version_of(own["pk"])},
    ),
    Endpoint(
        "screening-complete",
        SCREENER,
        objects=_screening_pair,
        method="post",
        payload=lambda own: _version_of(own["pk"]),
    ),
    Endpoint("case-list", CASE_WORKER, ids=_row_organisations, prepare=_cases_both),
    Endpoint(
        "case-list",
        CASE_WORKER,
        method="post",
        ok_status=201,
        payload=lambda own: {"sex": "female", "age": 30},
        no_other_reason="creates in the caller's own organisation",
    ),
    Endpoint("case-detail", CASE_WORKER, objects=_case_pair),
    Endpoint("case-detail", CASE_WORKER, objects=_case_pair, method="patch", payload=_case_version),
    Endpoint("case-identity", CASE_WORKER, objects=_case_pair),
    Endpoint(
        "case-identity",
        CASE_WORKER,
        objects=_case_pair,
        method="patch",
        payload=lambda own: {"family_name": "Test"},
    ),
    Endpoint("case-consents", CASE_WORKER, objects=_case_pair),
    Endpoint(
        "case-consents",
        CASE_WORKER,
        objects=_case_pair,
        method="post",
        ok_status=201,
        payload=lambda own: {"purpose": "assistance", "information_version": "v1"},
    ),
    Endpoint(
        "case-decision",
        "identification_officer",
        objects=_identification_pair,
        method="post",
        payload=lambda own: {"status": "Actual", "decided_on": "2026-11-01"},
    ),
    Endpoint("consent-withdraw", CASE_WORKER, objects=_consent_pair, method="post"),
    Endpoint("service-list", SCREENER, ids=_row_organisations_plain, prepare=_services_both),
    Endpoint("service-detail", SCREENER, objects=_service_pair),
    Endpoint("referral-list", CASE_WORKER, ids=_rows_from, prepare=_referrals_both),
    Endpoint("referral-detail", CASE_WORKER, objects=_referral_pair_from),
    Endpoint("referral-shared", "service_provider", objects=_referral_pair_to),
    Endpoint(
        "referral-accept",
        "service_provider",
        objects=_referral_pair_to,
        method="post",
        payload=_referral_version,
    ),
    Endpoint(
        "referral-decline",
        "service_provider",
        objects=_referral_pair_to,
        method="post",
        payload=lambda own: {**_referral_version(own), "reason": "No place"},
    ),
    Endpoint(
        "referral-start",
        "service_provider",
        objects=_accepted_pair_to,
        method="post",
        payload=_referral_version,
    ),
    Endpoint(
        "referral-complete",
        "service_provider",
        objects=_accepted_pair_to,
        method="post",
        payload=_referral_version,
    ),
    Endpoint(
        "referral-withdraw",
        CASE_WORKER,
        objects=_referral_pair_from,
        method="post",
        payload=_referral_version,
    ),
    Endpoint(
        "referral-list",
        CASE_WORKER,
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_referral_create_body,
        no_other_reason="the case and service ids are checked by the detail tests",
    ),
    Endpoint("interpreter-list", SCREENER, no_other_reason="the pool is joint (professionals)"),
    Endpoint(
        "interpreter-detail",
        SCREENER,
        objects=_interpreter_pair,
        no_other_reason="the pool is joint (professionals)",
    ),
    Endpoint(
        "interpreter-list",
        "interpreter_coordinator",
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_registry_body,
        no_other_reason="adds to the coordinator's own participant",
    ),
    Endpoint(
        "interpreter-detail",
        "interpreter_coordinator",
        objects=_registry_pair,
        method="patch",
        payload=lambda own: {"area": "Nis"},
    ),
    Endpoint(
        "interpreter-detail",
        "interpreter_coordinator",
        objects=_registry_pair,
        method="put",
        payload=lambda own: {**_registry_body(None, None), "name": "Renamed"},
    ),
    Endpoint(
        "interpreter-availability-list",
        "interpreter_coordinator",
        ids=_slot_organisations,
        prepare=_slots,
    ),
    Endpoint(
        "interpreter-availability-list",
        "interpreter_coordinator",
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_slot_body,
        no_other_reason="another participant's interpreter: tests/interpreters/test_api.py",
    ),
    Endpoint("interpreter-availability-detail", "interpreter_coordinator", objects=_slots),
    Endpoint(
        "interpreter-availability-detail",
        "interpreter_coordinator",
        objects=_slots,
        method="delete",
        ok_status=204,
    ),
    Endpoint(
        "interpreter-request-list",
        SCREENER,
        ids=_row_organisations,
        prepare=lambda own, other: _interpreter_requests(own, other),
    ),
    Endpoint(
        "interpreter-request-list",
        SCREENER,
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_interpreter_request_body,
        no_other_reason="creates in the caller's own organisation",
    ),
    Endpoint("interpreter-request-detail", SCREENER, objects=_interpreter_request_pair),
    Endpoint("interpreter-request-suggestions", SCREENER, objects=_interpreter_request_pair),
    Endpoint(
        "interpreter-request-book",
        SCREENER,
        objects=_interpreter_request_pair,
        method="post",
        ok_status=201,
        payload=_book_body,
    ),
    Endpoint(
        "interpreter-request-cancel", SCREENER, objects=_interpreter_request_pair, method="post"
    ),
    Endpoint(
        "interpreter-booking-list",
        SCREENER,
        ids=_booking_request_organisations,
        prepare=_booking_rows,
    ),
    Endpoint("interpreter-booking-detail", SCREENER, objects=_bookings("proposed")),
    Endpoint(
        "interpreter-booking-confirm",
        "interpreter_coordinator",
        objects=_bookings("proposed"),
        method="post",
    ),
    Endpoint(
        "interpreter-booking-decline",
        "interpreter_coordinator",
        objects=_bookings("proposed"),
        method="post",
    ),
    Endpoint("interpreter-booking-cancel", SCREENER, objects=_bookings("confirmed"), method="post"),
    Endpoint(
        "interpreter-booking-feedback",
        SCREENER,
        objects=_bookings("done"),
        method="post",
        ok_status=201,
        payload=lambda own: {"quality": 4},
    ),
    Endpoint(
        "recommendation-source-list",
        POLICY,
        no_other_reason="sources are public documents shared by every participant",
    ),
    Endpoint(
        "recommendation-source-list",
        POLICY,
        method="post",
        ok_status=201,
        payload=_source_body,
        no_other_reason="sources are shared by every participant",
    ),
    Endpoint(
        "recommendation-source-detail",
        POLICY,
        objects=_source_pair,
        no_other_reason="sources are public documents shared by every participant",
    ),
    Endpoint(
        "recommendation-source-detail",
        POLICY,
        objects=_source_pair,
        method="patch",
        payload=_source_version,
        no_other_reason="sources are shared by every participant",
    ),
    Endpoint(
        "recommendation-list", POLICY, ids=_rows_by_participant, prepare=_recommendations_both
    ),
    Endpoint(
        "recommendation-list",
        POLICY,
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_recommendation_body,
        no_other_reason="creates for the caller's own participant (another one: 404, tested)",
    ),
    Endpoint("recommendation-detail", POLICY, objects=_recommendation_pair),
    Endpoint(
        "recommendation-detail",
        POLICY,
        objects=_recommendation_pair,
        method="patch",
        payload=_recommendation_version,
    ),
    Endpoint(
        "recommendation-links",
        POLICY,
        objects=_recommendation_pair,
        method="post",
        ok_status=201,
        payload=_link_body,
    ),
    Endpoint("recommendation-coverage", POLICY, ids=_comparison_orgs),
    Endpoint(
        "recommendation-import",
        POLICY,
        method="post",
        ok_status=201,
        payload=_import_body,
        no_other_reason="rows of another participant are refused (tests/recommendations)",
    ),
    Endpoint("strategy-list", POLICY, ids=_rows_by_participant, prepare=_plans_both),
    Endpoint(
        "strategy-list",
        POLICY,
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_plan_body,
        no_other_reason="creates for the caller's own participant",
    ),
    Endpoint("strategy-detail", POLICY, objects=_plan_pair),
    Endpoint("strategy-detail", POLICY, objects=_plan_pair, method="patch", payload=_plan_version),
    Endpoint(
        "strategy-objectives",
        POLICY,
        objects=_plan_pair,
        method="post",
        ok_status=201,
        payload=lambda own: {"theme": "protection", "text": "Early identification."},
    ),
    Endpoint("strategy-draft", POLICY, objects=_plan_pair),
    Endpoint("measure-list", POLICY, ids=_measure_rows, prepare=_measures_both),
    Endpoint(
        "measure-list",
        POLICY,
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_measure_body,
        no_other_reason="the objective of another participant is not found (tested)",
    ),
    Endpoint("measure-detail", POLICY, objects=_measure_pair),
    Endpoint(
        "measure-detail", POLICY, objects=_measure_pair, method="patch", payload=_measure_version
    ),
    Endpoint("progress-report-list", POLICY, ids=_report_rows, prepare=_reports_both),
    Endpoint(
        "progress-report-list",
        POLICY,
        method="post",
        ok_status=201,
        payload=None,
        body_factory=_report_body,
        no_other_reason="another participant's measure is not found (tested)",
    ),
]


def _api_route_names():
    return {name.removeprefix("api:") for name, _p in named_patterns() if name.startswith("api:")}


def _route_methods(callback) -> set[str]:
    """The HTTP methods a route answers (besides HEAD and OPTIONS): a viewset's routed actions
    that its `http_method_names` allow, or the handlers an API view defines."""
    cls = getattr(callback, "cls", None)
    if cls is None:
        return {"get"}
    allowed = set(getattr(cls, "http_method_names", ())) - {"head", "options"}
    actions = getattr(callback, "actions", None)
    if actions:
        return {m for m, action in actions.items() if m in allowed and hasattr(cls, action)}
    return {m for m in allowed if hasattr(cls, m)}


def _api_routes() -> set[tuple[str, str]]:
    return {
        (name.removeprefix("api:"), method)
        for name, pattern in named_patterns()
        if name.startswith("api:")
        for method in _route_methods(pattern.callback)
    }


def test_every_api_route_is_covered():
    missing = _api_route_names() - {e.name for e in ENDPOINTS}
    assert not missing, f"API routes without permission tests: {sorted(missing)}"


def test_every_method_of_every_api_route_is_covered():
    """A method added to a route (say DELETE) needs its own permission test, not only the route."""
    routes = _api_routes()
    # the walk sees methods as routed: the pool's registry may be changed, never deleted
    assert {("interpreter-detail", "patch"), ("case-list", "post")} <= routes
    assert ("interpreter-detail", "delete") not in routes
    missing = routes - {(e.name, e.method.lower()) for e in ENDPOINTS}
    assert not missing, f"API methods without permission tests: {sorted(missing)}"


def _url(endpoint, organisation, other_org):
    """(own URL, other organisation's URL or None, request body)."""
    if endpoint.prepare:
        endpoint.prepare(organisation, other_org)
    if endpoint.objects is None:
        body = endpoint.payload({}) if endpoint.payload else None
        return reverse(f"api:{endpoint.name}"), None, body
    own, other = endpoint.objects(organisation, other_org)
    other_url = reverse(f"api:{endpoint.name}", kwargs=other) if other else None
    body = endpoint.payload(own) if endpoint.payload else None
    return reverse(f"api:{endpoint.name}", kwargs=own), other_url, body


def _id(endpoint):
    return f"{endpoint.method}-{endpoint.name}"


def _body(endpoint, organisation, user, body):
    if endpoint.body_factory is not None:
        return endpoint.body_factory(organisation, user)
    return body


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_anonymous_is_refused(client, organisation, other_org, endpoint):
    url, _other, body = _url(endpoint, organisation, other_org)
    helper = make_user("helper", role=endpoint.allowed_role, organisation=organisation)
    PermissionChecks.anonymous(
        client, url, endpoint.method, _body(endpoint, organisation, helper, body)
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_no_role_is_refused(norole_client, organisation, other_org, endpoint):
    url, _other, body = _url(endpoint, organisation, other_org)
    helper = make_user("helper", role=endpoint.allowed_role, organisation=organisation)
    PermissionChecks.no_role(
        norole_client, url, endpoint.method, _body(endpoint, organisation, helper, body)
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_allowed_role_gets_200_and_never_sees_other_organisations(
    client, organisation, other_org, endpoint
):
    user = make_user("allowed", role=endpoint.allowed_role, organisation=organisation)
    login_verified(client, user)
    url, other_url, body = _url(endpoint, organisation, other_org)
    body = _body(endpoint, organisation, user, body)
    if other_url:
        PermissionChecks.other_organisation(client, other_url, endpoint.method, body)
    response = PermissionChecks.allowed(client, url, endpoint.method, body, endpoint.ok_status)
    if endpoint.ids:
        seen = endpoint.ids(response.json())
        assert organisation.pk in seen
        assert other_org.pk not in seen
    if not (other_url or endpoint.ids):
        assert endpoint.no_other_reason, f"{endpoint.name}: say why there is no other-org check"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_id)
def test_token_caller_gets_the_same_answers(client, organisation, other_org, endpoint):
    from veza.core.tokens import token_create

    user = make_user("tokenuser", role=endpoint.allowed_role, organisation=organisation)
    _token, text = token_create(actor="test", user=user)
    url, other_url, body = _url(endpoint, organisation, other_org)
    body = _body(endpoint, organisation, user, body)
    nobody = make_user("tokennorole")
    _t, nobody_text = token_create(actor="test", user=nobody)
    refused = call(client, url, endpoint.method, body, HTTP_AUTHORIZATION=f"Token {nobody_text}")
    assert refused.status_code == 403
    headers = {"HTTP_AUTHORIZATION": f"Token {text}"}
    if other_url:
        assert call(client, other_url, endpoint.method, body, **headers).status_code == 404
    assert call(client, url, endpoint.method, body, **headers).status_code == endpoint.ok_status


def test_regional_role_sees_every_participants_organisations(client, organisation, other_org):
    hub = make_organisation("HUB", name="Hub")
    analyst = make_user("analyst", role="regional_analyst", organisation=hub)
    login_verified(client, analyst)
    ids = _result_ids(client.get(reverse("api:organisation-list"), {"page_size": 200}).json())
    assert {organisation.pk, other_org.pk} <= ids


def test_every_operation_of_the_openapi_schema_is_covered_and_every_route_documented():
    """The published schema and the routes agree, and each documented operation has its
    permission test: a new endpoint cannot reach the schema (or clients) untested."""
    import re

    from django.urls import resolve
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = set()
    for path, operations in schema["paths"].items():
        match = resolve(re.sub(r"\{[^}]+\}", "1", path))
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                documented.add((match.url_name, method))
    assert len(documented) > 50
    tested = {(e.name, e.method.lower()) for e in ENDPOINTS}
    assert not documented - tested, f"documented without a test: {sorted(documented - tested)}"
    undocumented = _api_routes() - documented - {("schema", "get"), ("docs", "get")}
    assert not undocumented, f"routed but not in the schema: {sorted(undocumented)}"
