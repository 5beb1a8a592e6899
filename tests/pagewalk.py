"""The walk of the main pages and API reads, shared by the query budgets and the page weights.

`load_demo()` loads the demonstration data (without the migration dataflows, which take a minute
and feed only the hub's dataflow pages); `PAGES` names each page and API read once, with the demo
account of Serbia that uses it; `grow(n)` adds `n` more of everything those pages list, visible
to those accounts (cases with screenings, consents, identities, decisions and referrals, bookings,
services, interpreters, organisations, recommendations, measures).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.factories import QUICK_POTENTIAL, login_verified

__all__ = ["PAGES", "Page", "grow", "load_demo", "sign_in"]

#: Demo steps left out: the dataflows (55 s on SQLite) only feed /hub/dataflows/.
SKIPPED_DEMO_STEPS = {"migration dataflows"}


def load_demo() -> None:
    from veza.core.demo import demo_steps
    from veza.interpreters.models import InterpreterRequest
    from veza.organisations.models import Participant
    from veza.statistics.services import release_build

    for step in demo_steps():
        if step.name not in SKIPPED_DEMO_STEPS:
            step.run()
    # An open interpreter request, so that its page and the suggestions rank the pool.
    police = _org("Police Directorate")
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(9)))
    InterpreterRequest.objects.create(
        organisation=police,
        participant=police.participant,
        languages=["pus"],
        target_language="srp",
        start=start,
        end=start + timedelta(hours=1),
        setting="medical",
    )
    # A national release waiting for approval, for its page (the demo builds only the hub's).
    release_build(
        actor=_user("rs.coordinator"),
        participant=Participant.objects.get(code="RS"),
        year=timezone.now().year,
    )


def _user(username):
    return get_user_model().objects.get(username=username)


def _org(name_part, code="RS"):
    from veza.organisations.models import Organisation

    return Organisation.objects.get(participant__code=code, is_demo=True, name__contains=name_part)


# Objects that the detail pages show: the first demo object of Serbia that the account sees.


def _case(user="rs.casemanager"):
    from veza.cases.models import Case

    def pk():
        return (
            Case.objects.visible_to(_user(user))
            .filter(referrals__isnull=False, identity__isnull=False)
            .order_by("pk")
            .first()
            .pk
        )

    return pk


def _screening(user="rs.frontline", done=True):
    from veza.screening.models import Screening

    def pk():
        rows = Screening.objects.visible_to(_user(user)).filter(completed_at__isnull=not done)
        return rows.order_by("pk").first().pk

    return pk


def _referral(user="rs.casemanager"):
    from veza.referrals.models import Referral

    def pk():
        return Referral.objects.visible_to(_user(user)).order_by("pk").first().pk

    return pk


def _first(model_path, **filters):
    def pk():
        from django.apps import apps

        model = apps.get_model(model_path)
        return model.objects.filter(**filters).order_by("pk").first().pk

    return pk


def _interpreter_request():
    from veza.interpreters.models import InterpreterRequest

    def pk():
        return (
            InterpreterRequest.objects.filter(
                participant__code="RS",
                organisation__name__contains="Police Directorate",
                status="open",
            )
            .order_by("pk")
            .first()
            .pk
        )

    return pk


@dataclass(frozen=True)
class Page:
    #: The line of the budget table: a short name of the page or endpoint.
    key: str
    #: The demo account that uses it.
    username: str
    #: The path; `{pk}` is filled in from `pk()` (the object the page shows).
    path: str
    pk: object = None
    #: A list: growing the data must not grow what one page shows (see test_query_budgets).
    is_list: bool = False

    def url(self) -> str:
        return self.path.format(pk=self.pk()) if self.pk else self.path

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


CM, FL, PR, CO = "rs.casemanager", "rs.frontline", "rs.provider", "rs.coordinator"
IO, IC, PO = "rs.identification", "rs.interpreters", "rs.policy"
PL = "rs.police"

PAGES = [
    # Every role's home and the pages of tests/test_pages_in_every_language.py
    Page("home (case manager)", CM, "/"),
    Page("home (frontline)", FL, "/"),
    Page("home (coordinator dashboard)", CO, "/"),
    Page("account", CM, "/account/"),
    Page("screening list", FL, "/screenings/", is_list=True),
    Page("screening new", FL, "/screenings/new/"),
    Page("screening result (detail)", FL, "/screenings/{pk}/", _screening()),
    Page(
        "screening review",
        "rs.police",
        "/screenings/{pk}/review/",
        _screening("rs.police", done=False),
    ),
    Page(
        "screening draft step",
        "rs.police",
        "/screenings/{pk}/step/1/",
        _screening("rs.police", done=False),
    ),
    Page("case list", CM, "/cases/", is_list=True),
    Page("case list (coordinator)", CO, "/cases/", is_list=True),
    Page("case detail (timeline)", CM, "/cases/{pk}/", _case()),
    Page("case identity", CM, "/cases/{pk}/identity/", _case()),
    Page("case edit", CM, "/cases/{pk}/edit/", _case()),
    Page("worklist (case manager)", CM, "/worklist/", is_list=True),
    Page("worklist (provider)", PR, "/worklist/", is_list=True),
    Page("worklist (identification)", IO, "/worklist/", is_list=True),
    Page("referral detail", CM, "/referrals/{pk}/", _referral()),
    Page("referral detail (provider)", PR, "/referrals/{pk}/", _referral(PR)),
    Page("referral new", CM, "/cases/{pk}/refer/", _case()),
    Page("service directory", CM, "/services/", is_list=True),
    Page("interpreter requests", PL, "/interpreters/", is_list=True),
    Page("interpreter request new", PL, "/interpreters/new/"),
    Page("interpreter request detail", PL, "/interpreters/requests/{pk}/", _interpreter_request()),
    Page("interpreter requests (coordinator)", IC, "/interpreters/", is_list=True),
    Page("interpreter pool", IC, "/interpreters/pool/", is_list=True),
    Page("interpreter support", IC, "/interpreters/support/"),
    Page("information", CM, "/information/"),
    Page("information sheet", CM, "/information/ar/"),
    Page("field forms", CM, "/forms/"),
    Page("recommendations", PO, "/recommendations/", is_list=True),
    Page(
        "recommendation detail",
        PO,
        "/recommendations/{pk}/",
        _first("recommendations.Recommendation", participant__code="RS"),
    ),
    Page("recommendation sources", PO, "/recommendations/sources/", is_list=True),
    Page("recommendation coverage", PO, "/recommendations/coverage/"),
    Page("action plans", PO, "/action-plans/", is_list=True),
    Page(
        "action plan detail",
        PO,
        "/action-plans/{pk}/",
        _first("recommendations.Strategy", participant__code="RS"),
    ),
    Page("emergencies", CO, "/emergencies/", is_list=True),
    Page("guidance library", CO, "/guidance/"),
    Page("guidance library search", FL, "/guidance/?q=first+contact"),
    Page(
        "guidance document",
        CO,
        "/guidance/{pk}/",
        _first("knowledge.Document", slug="first-contact-recognising-and-referring"),
    ),
    Page("guidance document new", CO, "/guidance/new/"),
    Page("public library", FL, "/library/"),
    Page("public library document", FL, "/library/first-contact-recognising-and-referring/sr/"),
    Page("emergency detail", CO, "/emergencies/{pk}/", _first("organisations.EmergencyArea")),
    Page("subject access", CO, "/privacy/subject-access/"),
    Page("my training", FL, "/training/"),
    Page("training practice", PL, "/training/practice/"),
    Page("training practice case", PL, "/training/practice/emergency_visit/"),
    Page("training attempt", FL, "/training/attempts/{pk}/", _first("training.PracticeAttempt")),
    Page("training courses", CO, "/training/courses/", is_list=True),
    Page("training course", CO, "/training/courses/{pk}/", _first("training.Course")),
    Page("training coverage", CO, "/training/coverage/"),
    Page("certificate verify", CO, "/training/certificates/verify/?code=AAAA-BBBB-CCCC"),
    Page("feedback offer", PR, "/feedback/offer/?service_type=shelter"),
    Page("feedback summary", CO, "/feedback/summary/"),
    Page("feedback summary (regional)", "hub.analyst", "/feedback/summary/"),
    Page("break-glass log", CO, "/cases/break-glass/log/", is_list=True),
    Page("statistics releases", CO, "/statistics/releases/", is_list=True),
    Page(
        "statistics release detail",
        CO,
        "/statistics/releases/{pk}/",
        _first("veza_statistics.Release", participant__code="RS"),
    ),
    Page("translations", "admin", "/translations/"),
    Page("organisations", "admin", "/organisations/", is_list=True),
    Page(
        "organisation detail",
        "admin",
        "/organisations/{pk}/",
        _first("organisations.Organisation", participant__code="RS"),
    ),
    Page("hub trends", "hub.analyst", "/hub/trends/"),
    Page("hub report", "hub.analyst", "/hub/report/"),
    Page("hub received releases", "hub.analyst", "/hub/received/", is_list=True),
    Page("self-check (public)", CM, "/self-check/"),
    Page("self-check questions (public)", CM, "/self-check/sq/"),
    Page("self-check rights (public)", CM, "/self-check/rom/rights/"),
    Page("self-check use", "hub.analyst", "/prevention/self-check-uses/"),
    Page("self-check use (coordinator)", CO, "/prevention/self-check-uses/"),
    # Every API read (list and detail; the routes of tests/test_api_permissions.py)
    Page("api user me", CM, "/api/v1/users/me/"),
    Page("api organisations", FL, "/api/v1/organisations/", is_list=True),
    Page(
        "api organisation",
        FL,
        "/api/v1/organisations/{pk}/",
        _first("organisations.Organisation", participant__code="RS"),
    ),
    Page("api participants", FL, "/api/v1/participants/", is_list=True),
    Page(
        "api participant",
        FL,
        "/api/v1/participants/{pk}/",
        _first("organisations.Participant", code="RS"),
    ),
    Page("api indicator sets", FL, "/api/v1/indicator-sets/", is_list=True),
    Page(
        "api indicator set", FL, "/api/v1/indicator-sets/{pk}/", _first("indicators.IndicatorSet")
    ),
    Page("api questionnaires", FL, "/api/v1/questionnaires/", is_list=True),
    Page(
        "api questionnaire", FL, "/api/v1/questionnaires/{pk}/", _first("indicators.Questionnaire")
    ),
    Page("api screenings", FL, "/api/v1/screenings/", is_list=True),
    Page("api screening", FL, "/api/v1/screenings/{pk}/", _screening()),
    Page("api cases", CM, "/api/v1/cases/", is_list=True),
    Page("api case", CM, "/api/v1/cases/{pk}/", _case()),
    Page("api case identity", CM, "/api/v1/cases/{pk}/identity/", _case()),
    Page("api case consents", CM, "/api/v1/cases/{pk}/consents/", _case()),
    Page("api services", FL, "/api/v1/services/", is_list=True),
    Page(
        "api service",
        FL,
        "/api/v1/services/{pk}/",
        _first("referrals.Service", organisation__participant__code="RS"),
    ),
    Page("api referrals", CM, "/api/v1/referrals/", is_list=True),
    Page("api referral", CM, "/api/v1/referrals/{pk}/", _referral()),
    Page("api referral shared", PR, "/api/v1/referrals/{pk}/shared/", _referral(PR)),
    Page("api interpreters", FL, "/api/v1/interpreters/", is_list=True),
    Page(
        "api interpreter",
        FL,
        "/api/v1/interpreters/{pk}/",
        _first("interpreters.Interpreter", participant__code="RS"),
    ),
    Page("api interpreter requests", PL, "/api/v1/interpreter-requests/", is_list=True),
    Page(
        "api interpreter request", PL, "/api/v1/interpreter-requests/{pk}/", _interpreter_request()
    ),
    Page(
        "api interpreter request suggestions",
        PL,
        "/api/v1/interpreter-requests/{pk}/suggestions/",
        _interpreter_request(),
    ),
    Page("api interpreter bookings", PL, "/api/v1/interpreter-bookings/", is_list=True),
    Page(
        "api interpreter booking",
        PL,
        "/api/v1/interpreter-bookings/{pk}/",
        _first(
            "interpreters.Booking",
            request__organisation__name__contains="Police Directorate",
            request__participant__code="RS",
        ),
    ),
    Page("api interpreter availability", IC, "/api/v1/interpreter-availability/", is_list=True),
    Page(
        "api interpreter availability slot",
        IC,
        "/api/v1/interpreter-availability/{pk}/",
        _first("interpreters.Availability", interpreter__participant__code="RS"),
    ),
    Page("api recommendation sources", PO, "/api/v1/recommendation-sources/", is_list=True),
    Page(
        "api recommendation source",
        PO,
        "/api/v1/recommendation-sources/{pk}/",
        _first("recommendations.Source"),
    ),
    Page("api recommendations", PO, "/api/v1/recommendations/", is_list=True),
    Page(
        "api recommendation",
        PO,
        "/api/v1/recommendations/{pk}/",
        _first("recommendations.Recommendation", participant__code="RS"),
    ),
    Page("api recommendation coverage", PO, "/api/v1/recommendations/coverage/"),
    Page("api strategies", PO, "/api/v1/strategies/", is_list=True),
    Page(
        "api strategy",
        PO,
        "/api/v1/strategies/{pk}/",
        _first("recommendations.Strategy", participant__code="RS"),
    ),
    Page(
        "api strategy draft",
        PO,
        "/api/v1/strategies/{pk}/draft/?kind=docx",
        _first("recommendations.Strategy", participant__code="RS"),
    ),
    Page("api measures", PO, "/api/v1/measures/", is_list=True),
    Page(
        "api measure",
        PO,
        "/api/v1/measures/{pk}/",
        _first("recommendations.Measure", objective__strategy__participant__code="RS"),
    ),
    Page("api progress reports", PO, "/api/v1/progress-reports/", is_list=True),
]


def sign_in(client, page: Page):
    """The client signed in (with the second factor) as the account that uses the page."""
    return login_verified(client, _user(page.username))


def grow(n: int) -> None:
    """`n` more of every listed thing, visible to the demo accounts of Serbia."""
    from veza.cases.models import Case
    from veza.cases.services import case_open, consent_record, decision_record, identity_write
    from veza.interpreters.models import (
        Availability,
        Booking,
        BookingStatus,
        Interpreter,
        InterpreterRequest,
        Skill,
    )
    from veza.organisations.choices import OrganisationType
    from veza.organisations.services import organisation_create
    from veza.recommendations.models import Measure, Objective, ProgressReport, Recommendation
    from veza.referrals.models import Service
    from veza.referrals.services import (
        referral_accept,
        referral_send,
        referral_start,
    )
    from veza.screening.services import screening_complete, screening_save, screening_start

    manager, frontline, provider = _user(CM), _user(FL), _user(PR)
    officer = _user(IO)
    social, health = _org("Centre for Social Work"), _org("General Hospital")
    shelter, identification = _org("Safe House"), _org("Victim Identification Team")
    interpreting, police = _org("Community Interpreting Service"), _org("Police Directorate")
    shelter_service = Service.objects.filter(organisation=shelter).first()
    identification_service = Service.objects.filter(organisation=identification).first()
    today = timezone.localdate()
    # The objects the detail pages show get more of what they list, too.
    detail_case = Case.objects.get(pk=_case()())
    detail_request = InterpreterRequest.objects.get(pk=_interpreter_request()())
    recommendation = Recommendation.objects.filter(participant__code="RS").order_by("pk").first()
    objective = (
        Objective.objects.filter(strategy__participant__code="RS")
        .order_by("strategy", "pk")
        .first()
    )
    for i in range(n):
        for user, org in ((frontline, health), (manager, social)):
            screening = screening_start(actor=user, organisation=org, questionnaire_code="quick")
            screening = screening_save(
                actor=user,
                screening=screening,
                answers=QUICK_POTENTIAL,
                expected_version=screening.version,
            )
            screening = screening_complete(
                actor=user, screening=screening, expected_version=screening.version
            )
        case = case_open(actor=manager, organisation=social, screening=screening)
        consent_record(actor=manager, case=case, purpose="assistance", information_version="v1")
        identity_write(actor=manager, case=case, given_names=f"Grown {i}", family_name="Example")
        decision_record(
            actor=officer, case=case, status="Actual", organisation=identification, decided_on=today
        )
        for service in (shelter_service, identification_service):
            consent_record(
                actor=manager,
                case=case,
                purpose="referral",
                recipient=service.organisation,
                information_version="v1",
            )
            referral = referral_send(
                actor=manager, case=case, service=service, reason="Bed", urgency="urgent"
            )
            if service is identification_service:
                # Due within the next 48 hours (the worklist's "due soon").
                referral.deadlines.update(due_at=timezone.now() + timedelta(hours=12))
            elif i % 10 == 9:
                referral_accept(actor=provider, referral=referral)
                referral_start(actor=provider, referral=referral)
            else:
                referral.deadlines.update(due_at=timezone.now() - timedelta(hours=6))  # overdue
        organisation = organisation_create(
            actor="test",
            participant=social.participant,
            name=f"Grown organisation {i}",
            sector="cso_outreach",
            type=OrganisationType.CSO,
        )
        service = Service.objects.create(
            organisation=organisation,
            service_type="legal_aid",
            capacity_updated_at=timezone.now(),
            languages=["Serbian"],
            target_groups=["women"],
        )
        consent_record(
            actor=manager,
            case=detail_case,
            purpose="referral",
            recipient=organisation,
            information_version="v1",
        )
        referral_send(
            actor=manager, case=detail_case, service=service, reason="Advice", urgency="routine"
        )
        interpreter = Interpreter.objects.create(
            name=f"Grown interpreter {i}",
            organisation=interpreting,
            participant=social.participant,
            area="Beograd",
            gender="female",
            target_languages=["srp"],
            vetting="valid",
            vetted_until=today + timedelta(days=300),
        )
        Skill.objects.create(interpreter=interpreter, language="pus", proficiency=5)
        start = timezone.make_aware(datetime.combine(today + timedelta(days=1), time(8, 0)))
        Availability.objects.create(
            interpreter=interpreter, start=start, end=start + timedelta(hours=10)
        )
        request = InterpreterRequest.objects.create(
            organisation=police,
            participant=social.participant,
            languages=["pus"],
            target_language="srp",
            start=start + timedelta(hours=1),
            end=start + timedelta(hours=2),
            setting="medical",
        )
        Booking.objects.create(
            request=request,
            interpreter=interpreter,
            start=request.start,
            end=request.end,
            status=BookingStatus.PROPOSED,
        )
        Booking.objects.create(
            request=detail_request,
            interpreter=interpreter,
            start=detail_request.start,
            end=detail_request.end,
            status=BookingStatus.DECLINED,
        )
        for copy_number in range(2):  # more than one page of the list (50) holds
            if recommendation is not None:
                copy = Recommendation.objects.get(pk=recommendation.pk)
                copy.pk = None
                copy.reference = f"{recommendation.reference}-g{i}-{copy_number}"
                copy.save()
        if objective is not None:
            measure = Measure.objects.create(
                objective=objective, title=f"Grown measure {i}", deadline=today
            )
            if recommendation is not None:
                measure.recommendations.set([recommendation])
            ProgressReport.objects.create(
                measure=measure, period="2026-H1", period_end=today, status="in_progress"
            )
