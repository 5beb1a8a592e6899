"""`veza retention purge` (SECURITY.md row 16): time-frozen, on real databases."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import make_organisation, make_screening
from tests.privacy.conftest import CLOSED_AT, FAMILY, GIVEN, OPENED_AT, build_case
from veza.cases.models import Case, CaseEvent, Consent, Identity
from veza.core.models import AuditEntry
from veza.federation.models import CrossBorderReferral
from veza.privacy.retention import retention_purge
from veza.privacy.services import legal_hold_lift, legal_hold_place
from veza.referrals.models import Notification, Referral
from veza.screening.models import Screening

OPERATOR = "cli:test"
#: The classes that follow a case (the others run on their own events, e.g. bookings).
CASE_CLASSES = {"case", "case_identity", "consents", "referrals", "cross_border_referrals"}
#: Five years (the case classes' proposed period) after CLOSED_AT, a day either side.
INSIDE = CLOSED_AT.replace(year=CLOSED_AT.year + 5) - dt.timedelta(days=1)
PAST = CLOSED_AT.replace(year=CLOSED_AT.year + 5) + dt.timedelta(days=1)


def purge(**kwargs):
    return retention_purge(actor=OPERATOR, **kwargs)


def counts(report, *, dry):
    return {(r.code, r.participant): (r.found if dry else r.done) for r in report.rows if r.found}


def is_anonymised(case) -> bool:
    return Case.objects.get(pk=case.pk).code == f"ANON-{case.pk}"


def raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db
def test_a_case_just_inside_its_period_stays_and_just_past_it_goes(closed_case):
    code = closed_case.code
    with time_machine.travel(INSIDE, tick=False):
        purge()
    assert Case.objects.get(pk=closed_case.pk).code == code
    assert Identity.objects.get(case=closed_case).family_name == FAMILY
    with time_machine.travel(PAST, tick=False):
        purge()
    assert is_anonymised(closed_case)
    assert not Identity.objects.filter(case=closed_case).exists()


@pytest.mark.django_db
def test_open_cases_are_never_purged(organisation):
    case = build_case(organisation, close=False)
    with time_machine.travel(OPENED_AT.replace(year=OPENED_AT.year + 30), tick=False):
        report = purge()
    assert not is_anonymised(case)
    assert Identity.objects.get(case=case).given_names == GIVEN
    assert Consent.objects.get(case=case, purpose="referral").child_views
    assert not [r for r in report.rows if r.found and r.code in CASE_CLASSES]


@pytest.mark.django_db
def test_the_dry_run_changes_nothing_and_counts_what_the_run_then_touches(
    closed_case, organisation
):
    build_case(organisation)  # a second closed case
    before_audit = AuditEntry.objects.count()
    with time_machine.travel(PAST, tick=False):
        dry = purge(dry_run=True)
        assert AuditEntry.objects.count() == before_audit
        assert not is_anonymised(closed_case)
        assert Identity.objects.filter(case__organisation=organisation).count() == 2
        real = purge()
    expected = counts(dry, dry=True)
    assert expected[("case", "RS")] == 2
    assert expected[("case_identity", "RS")] == 2
    assert expected[("consents", "RS")] == 4
    assert expected == counts(real, dry=False)
    assert real.failed == 0


@pytest.mark.django_db
def test_the_command_prints_the_dry_run_per_class_and_participant(closed_case, capsys):
    with time_machine.travel(PAST, tick=False):
        call_command("retention", "purge", "--dry-run")
    out = capsys.readouterr().out
    assert "case_identity            RS         1 would be erased" in out
    assert "case                     RS         1 would be anonymised" in out
    assert "Dry run:" in out and "proposals" in out
    assert not is_anonymised(closed_case)


@pytest.mark.django_db
def test_a_participants_override_applies(register_file, organisation):
    rs_case = build_case(organisation)
    ba_case = build_case(make_organisation("BA"))

    def rs_two_years(text):
        # The RS data protection officer shortens every case class to 2 years.
        return text.replace("RS: 5 years", "RS: 2 years")

    register_file(rs_two_years)
    two_years_on = CLOSED_AT.replace(year=CLOSED_AT.year + 2) + dt.timedelta(days=1)
    with time_machine.travel(two_years_on, tick=False):
        report = purge()
    assert is_anonymised(rs_case)
    assert not is_anonymised(ba_case)
    row = next(r for r in report.rows if r.code == "case" and r.participant == "RS")
    assert row.period == "2 years" and row.done == 1
    with time_machine.travel(PAST, tick=False):
        purge(participant="BA")
    assert is_anonymised(ba_case)


@pytest.mark.django_db
def test_anonymised_records_keep_their_statistics_and_lose_identity_and_free_text(closed_case):
    from veza.statistics.release import extract

    referral = closed_case.referral
    with time_machine.travel(PAST, tick=False):
        purge()
    case = Case.objects.get(pk=closed_case.pk)
    # Statistics fields stay.
    assert (case.sex, case.age, case.citizenship, case.trafficking_status) == (
        "female",
        24,
        "UA",
        "Actual",
    )
    assert case.exploitation and case.case_status == "Closed"
    cases, referrals = extract("RS", OPENED_AT.year)
    assert cases.to_dicts()[0]["SEX"] == "F" and cases.to_dicts()[0]["ID_STATUS"] == "IDENTIFIED"
    assert referrals.height == 1
    # Dates move to the first of their month; the interval between them stays.
    assert (case.created_at.day, case.created_at.hour) == (1, 0)
    assert case.created_at.month == OPENED_AT.month
    assert case.closed_at - case.created_at == CLOSED_AT - OPENED_AT
    # Identity, timeline and notices are gone; free text is empty in the database itself.
    assert raw("SELECT COUNT(*) FROM cases_identity WHERE case_id = %s", case.pk) == [(0,)]
    assert not CaseEvent.objects.filter(case=case).exists()
    assert not Notification.objects.filter(referral=referral).exists()
    assert raw(
        "SELECT reason, shared_data, risk_assessment, decline_reason, remote_case_code "
        "FROM federation_crossborderreferral WHERE case_id = %s",
        case.pk,
    ) == [("", "", "", "", "")]
    assert raw(
        "SELECT reason, override_reason, decline_reason FROM referrals_referral WHERE id = %s",
        referral.pk,
    ) == [("", "", "")]
    assert raw(
        "SELECT child_views, withdrawal_note FROM cases_consent WHERE case_id = %s", case.pk
    ) == [("", ""), ("", "")]
    assert raw("SELECT note FROM cases_traffickingdecision WHERE case_id = %s", case.pk) == [("",)]
    screening = case.screenings.get()
    assert screening.answers == {} and screening.outcome  # the outcome stays
    kept = Referral.objects.get(pk=referral.pk)
    assert kept.status and kept.service_id and kept.shared_fields
    x = CrossBorderReferral.objects.get(case=case)
    assert x.counterpart["participant"] == "BA" and x.shared_fields == [
        "given_names",
        "family_name",
    ]
    # Nothing in the tables that are left still names the person.
    for table, column in (
        ("cases_case", "code"),
        ("referrals_referral", "reason"),
        ("cases_caseevent", "detail"),
    ):
        for (value,) in raw(f"SELECT {column} FROM {table}"):  # noqa: S608 - fixed names
            assert FAMILY not in str(value)


@pytest.mark.django_db
def test_the_purge_is_audited_per_class_with_counts_and_no_personal_data(closed_case):
    with time_machine.travel(PAST, tick=False):
        purge()
    entries = list(AuditEntry.objects.filter(action="retention.purge"))
    by_class = {e.detail["class"]: e for e in entries}
    assert by_class["case"].detail["records"] == 1
    assert by_class["case"].detail["participant"] == "RS"
    assert by_class["case"].actor == OPERATOR
    assert by_class["case_identity"].detail["action"] == "erase"
    text = json.dumps([e.detail for e in entries], ensure_ascii=False)
    assert FAMILY not in text and GIVEN not in text and closed_case.code not in text
    # The audit entries about the case stay (append-only), and the chain still verifies.
    from veza.core.audit import audit_verify

    assert AuditEntry.objects.filter(object_type="cases.case", object_id=str(closed_case.pk))
    assert audit_verify().ok


@pytest.mark.django_db
def test_a_legal_hold_keeps_the_case_and_its_records_until_it_is_lifted(closed_case):
    with time_machine.travel(CLOSED_AT, tick=False):
        legal_hold_place(actor=OPERATOR, case=closed_case, reason="Criminal proceedings K 12/26")
    with time_machine.travel(PAST, tick=False):
        report = purge()
        assert not is_anonymised(closed_case)
        assert Identity.objects.get(case=closed_case).given_names == GIVEN
        assert Consent.objects.filter(case=closed_case).exclude(child_views="").exists()
        assert not [r for r in report.rows if r.found and r.code in CASE_CLASSES]
        legal_hold_lift(actor=OPERATOR, case=closed_case)
        purge()
    assert is_anonymised(closed_case)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"retention.hold_place", "retention.hold_lift"} <= actions


@pytest.mark.django_db
def test_a_hold_that_ended_no_longer_holds(closed_case):
    with time_machine.travel(CLOSED_AT, tick=False):
        legal_hold_place(
            actor=OPERATOR,
            case=closed_case,
            reason="Appeal period",
            until=(CLOSED_AT + dt.timedelta(days=365)).date(),
        )
    with time_machine.travel(PAST, tick=False):
        purge()
    assert is_anonymised(closed_case)


@pytest.mark.django_db
def test_only_the_operator_places_holds_and_runs_the_purge(closed_case):
    from veza.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        legal_hold_place(actor=closed_case.manager, case=closed_case, reason="x")
    with pytest.raises(PermissionDeniedError):
        retention_purge(actor=closed_case.manager)


@pytest.mark.django_db
def test_a_failure_mid_purge_leaves_no_record_half_purged(closed_case, organisation, monkeypatch):
    from veza.privacy.retention import anonymise

    second = build_case(organisation, given="Olena", family="Kovalenko")
    real_mark = anonymise._mark

    def failing_mark(label, pk, code, now):
        # Fails after everything of the first case was changed, just before it is recorded.
        if code == "case" and pk == closed_case.pk:
            raise RuntimeError("disk full")
        real_mark(label, pk, code, now)

    monkeypatch.setattr(anonymise, "_mark", failing_mark)
    with time_machine.travel(PAST, tick=False), pytest.raises(CommandError, match="1 record"):
        call_command("retention", "purge")
    # The failed case is whole: code, dates, timeline, screening answers, decision note (its
    # identity, consents and referrals went by their own classes, which ran before it).
    case = Case.objects.get(pk=closed_case.pk)
    assert case.code == closed_case.code and case.created_at == OPENED_AT
    assert CaseEvent.objects.filter(case=case).exists()
    assert case.screenings.get().answers
    assert case.decisions.get().note
    # The other case went through, and the batch is audited with the failure counted.
    assert is_anonymised(second)
    entry = AuditEntry.objects.filter(action="retention.purge", detail__class="case").get()
    assert (entry.detail["records"], entry.detail["failed"]) == (1, 1)
    # The next run finishes the job.
    monkeypatch.setattr(anonymise, "_mark", real_mark)
    with time_machine.travel(PAST, tick=False):
        purge()
    assert is_anonymised(closed_case)


@pytest.mark.django_db
def test_screenings_without_a_case_are_anonymised_and_drafts_erased(organisation):
    with time_machine.travel(OPENED_AT, tick=False):
        done = make_screening(organisation, complete=True)
        draft = make_screening(organisation)
    year_on = OPENED_AT.replace(year=OPENED_AT.year + 1)
    with time_machine.travel(year_on - dt.timedelta(days=1), tick=False):
        purge()
    assert Screening.objects.get(pk=done.pk).answers
    with time_machine.travel(year_on + dt.timedelta(days=1), tick=False):
        purge()
    kept = Screening.objects.get(pk=done.pk)
    assert kept.answers == {} and kept.outcome == done.outcome and kept.present == done.present
    assert kept.completed_at.day == 1 or kept.created_at.day == 1
    assert not Screening.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_every_class_with_a_purge_rule_finds_and_purges_its_records(organisation, closed_case):
    """One run-out record of every class: each class's rule finds it and purges it."""
    import uuid

    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    from tests.factories import make_user
    from veza.core.models import ApiToken, LoginThrottle, User
    from veza.federation.models import Packet, Peer, RejectedPacket
    from veza.fieldforms.models import SubmissionImport
    from veza.interpreters.models import Interpreter, InterpreterRequest
    from veza.training.models import Certificate, Course, Enrolment, PracticeAttempt

    with time_machine.travel(CLOSED_AT, tick=False):
        former = make_user(role="case_manager", organisation=organisation)
        User.objects.filter(pk=former.pk).update(is_active=False, last_login=CLOSED_AT)
        ApiToken.objects.create(
            user=closed_case.manager, prefix="abc", digest="0" * 64, revoked_at=CLOSED_AT
        )
        Session.objects.create(session_key="k" * 32, session_data="", expire_date=CLOSED_AT)
        LoginThrottle.objects.create(key="ip:192.0.2.1", failures=3)
        peer = Peer.objects.get(instance="veza-ba")
        Packet.objects.create(
            direction="out",
            packet_id=str(uuid.uuid4()),
            peer=peer,
            packet_type="referral.offer",
            status="delivered",
            body="sealed",
            expires_at=CLOSED_AT,
            done_at=CLOSED_AT,
        )
        RejectedPacket.objects.create(reason="replayed", remote_address="192.0.2.9")
        SubmissionImport.objects.create(
            organisation=organisation, tool="odk", format="csv", sha256="0" * 64
        )
        Interpreter.objects.filter(name="Iryna Interpreter").update(is_active=False)
        LogEntry.objects.create(
            user=closed_case.manager,
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(former.pk),
            object_repr="Ana Former",
            action_flag=ADDITION,
        )
        course = Course.objects.create(
            participant=organisation.participant,
            title="Indicators",
            kind="course",
            topics=["indicators"],
            starts_on=CLOSED_AT.date(),
            ends_on=CLOSED_AT.date(),
        )
        Enrolment.objects.create(course=course, user=former, organisation=organisation)
        PracticeAttempt.objects.create(
            user=former,
            participant=organisation.participant,
            case_id="x",
            questionnaire_code="health",
            questionnaire_version=1,
            outcome="no_indicators",
            score=100,
        )
        Certificate.objects.create(
            user=former, participant=organisation.participant, module_id="first_steps"
        )
        DBTaskResult.objects.create(
            task_path="veza.referrals.tasks.x",
            args_kwargs={"args": [], "kwargs": {}},
            queue_name="default",
            backend_name="default",
            finished_at=CLOSED_AT,
            status="SUCCESSFUL",
        )
    with time_machine.travel(PAST, tick=False):
        dry = purge(dry_run=True)
        report = purge()
    touched = {r.code for r in report.rows if r.done}
    from veza.privacy.retention import PURGERS

    assert touched == set(PURGERS) - {"screenings"}  # the case's screening goes with the case
    assert counts(dry, dry=True) == counts(report, dry=False)
    gone = User.objects.get(pk=former.pk)
    assert gone.username == f"former-{former.pk}" and not gone.has_usable_password()
    assert Interpreter.objects.get(name__startswith="#").user is None
    assert not InterpreterRequest.objects.exists()
    assert not Session.objects.exists() and not LogEntry.objects.exists()
    assert not Enrolment.objects.exists() and not PracticeAttempt.objects.exists()
    assert not Certificate.objects.exists() and Course.objects.exists()
