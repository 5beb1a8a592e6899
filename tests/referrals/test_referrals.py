"""Referrals: consent checks, shared fields, the state machine, deadlines, notifications."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_case, make_organisation, make_service, make_user
from veza.cases.services import consent_record, consent_withdraw, identity_write
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.models import AuditEntry
from veza.referrals.models import Deadline, Notification, Referral, Service
from veza.referrals.services import (
    deadlines_check,
    referral_accept,
    referral_complete,
    referral_decide,
    referral_decline,
    referral_send,
    referral_shared_data,
    referral_start,
    referral_withdraw,
    service_save,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organisation):
    return make_user("manager", role="case_manager", organisation=organisation)


@pytest.fixture
def case(organisation, manager):
    return make_case(organisation, user=manager, sex="female", age=24)


@pytest.fixture
def shelter():
    return make_organisation("RS", name="Safe House (test)", sector="shelter_protection")


@pytest.fixture
def shelter_service(shelter):
    return make_service(shelter, "shelter", target_groups=["women"], languages=["sr", "en"])


@pytest.fixture
def shelter_worker(shelter):
    return make_user("shelterworker", role="service_provider", organisation=shelter)


def consent_for(case, manager, recipient, purpose="referral"):
    return consent_record(
        actor=manager,
        case=case,
        purpose=purpose,
        recipient=recipient,
        information_version="info-2026-1",
    )


def test_referral_needs_consent_for_that_recipient(case, manager, shelter_service, shelter):
    with pytest.raises(ValidationError) as info:
        referral_send(
            actor=manager,
            case=case,
            service=shelter_service,
            reason="Needs a bed",
            urgency="urgent",
        )
    assert "consent" in info.value.fields
    assert not Referral.objects.exists()
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Needs a bed", urgency="urgent"
    )
    assert referral.consent is not None and referral.shared_fields == [
        "is_child",
        "sex",
        "age",
        "exploitation",
    ]


def test_override_needs_the_permission_and_a_reason_and_is_audited(
    case, manager, shelter_service, organisation
):
    frontline = make_user("front", role="frontline_professional", organisation=organisation)
    with pytest.raises(PermissionDeniedError):
        referral_send(
            actor=frontline,
            case=case,
            service=shelter_service,
            reason="Danger tonight",
            urgency="immediate",
            override_reason="She is in danger and cannot be asked now",
        )
    referral = referral_send(
        actor=manager,
        case=case,
        service=shelter_service,
        reason="Danger tonight",
        urgency="immediate",
        override_reason="She is in danger and cannot be asked now",
    )
    assert referral.consent is None and referral.override_reason
    assert AuditEntry.objects.filter(action="referral.consent_override").exists()


def test_identity_fields_need_data_sharing_consent_too(case, manager, shelter_service, shelter):
    consent_for(case, manager, shelter)
    with pytest.raises(ValidationError):
        referral_send(
            actor=manager,
            case=case,
            service=shelter_service,
            reason="Bed",
            urgency="urgent",
            shared_fields=["sex", "given_names"],
        )
    consent_for(case, manager, shelter, purpose="data_sharing")
    referral = referral_send(
        actor=manager,
        case=case,
        service=shelter_service,
        reason="Bed",
        urgency="urgent",
        shared_fields=["sex", "given_names"],
    )
    assert referral.shared_fields == ["sex", "given_names"]


def test_bad_referrals_change_nothing(case, manager, organisation, shelter):
    own = make_service(organisation, "health")
    inactive = make_service(shelter, "legal_aid")
    Service.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    abroad = make_service(make_organisation("BA", sector="shelter_protection"), "shelter")
    for service, message in (
        (own, "another organisation"),
        (inactive, "not offered"),
        (abroad, "transnational"),
    ):
        with pytest.raises(ValidationError) as info:
            referral_send(
                actor=manager,
                case=case,
                service=service,
                reason="x",
                urgency="urgent",
                override_reason="test",
            )
        assert message in " ".join(info.value.fields["service"])
    with pytest.raises(ValidationError) as info:
        referral_send(
            actor=manager,
            case=case,
            service=make_service(shelter, "health"),
            reason="",
            urgency="whenever",
            shared_fields=["bank_account"],
            override_reason="t",
        )
    assert set(info.value.fields) == {"reason", "urgency", "shared_fields"}
    assert not Referral.objects.exists() and not Deadline.objects.exists()


def test_recipient_sees_only_the_shared_fields_and_only_while_live(
    case, manager, shelter_service, shelter, shelter_worker
):
    identity_write(actor=manager, case=case, given_names="Mira", family_name="Secret")
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
    )
    data = referral_shared_data(actor=shelter_worker, referral=referral)
    assert data == {
        "code": case.code,
        "is_child": False,
        "sex": "female",
        "age": 24,
        "exploitation": [],
    }
    assert "Secret" not in str(data)
    referral_decline(actor=shelter_worker, referral=referral, reason="No free bed for her needs")
    assert referral_shared_data(actor=shelter_worker, referral=referral) == {}
    outsider = make_user("out", role="service_provider", organisation=make_organisation("RS"))
    with pytest.raises(PermissionDeniedError):
        referral_shared_data(actor=outsider, referral=referral)


def test_states_and_who_may_move_them(case, manager, shelter_service, shelter, shelter_worker):
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
    )
    with pytest.raises(PermissionDeniedError):
        referral_accept(actor=manager, referral=referral)  # the sender cannot answer
    with pytest.raises(ValidationError) as info:
        referral_decline(actor=shelter_worker, referral=referral, reason=" ")
    assert "reason" in info.value.fields
    referral_accept(actor=shelter_worker, referral=referral)
    with pytest.raises(ValidationError, match="cannot be changed that way"):
        referral_accept(actor=shelter_worker, referral=referral)
    with pytest.raises(ValidationError):
        referral_decline(actor=shelter_worker, referral=referral, reason="late")
    referral_start(actor=shelter_worker, referral=referral)
    referral_complete(actor=shelter_worker, referral=referral)
    with pytest.raises(ValidationError):
        referral_withdraw(actor=manager, referral=referral)
    kinds = list(case.events.values_list("kind", flat=True))
    assert {"referral.sent", "referral.accept", "referral.start", "referral.complete"} <= set(kinds)
    assert Deadline.objects.get(referral=referral, kind="first_contact").done_at is not None


def test_stale_version_is_a_conflict(case, manager, shelter_service, shelter, shelter_worker):
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
    )
    stale_version = referral.version
    referral_accept(actor=shelter_worker, referral=referral, expected_version=stale_version)
    stale = Referral.objects.get(pk=referral.pk)
    stale.version = stale_version
    with pytest.raises(ConflictError):
        referral_start(actor=shelter_worker, referral=stale, expected_version=stale_version)


def test_withdrawing_consent_ends_the_referral_and_tells_the_recipient(
    case, manager, shelter_service, shelter, shelter_worker, django_capture_on_commit_callbacks
):
    shelter_worker.email = "shelter@example.org"
    shelter_worker.save()
    consent = consent_for(case, manager, shelter)
    with django_capture_on_commit_callbacks(execute=True):
        referral = referral_send(
            actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
        )
    assert Notification.objects.filter(user=shelter_worker, kind="referral.received").exists()
    assert mail.outbox and case.code in mail.outbox[-1].body
    assert "Mira" not in mail.outbox[-1].body
    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=manager, consent=consent)
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert Notification.objects.filter(
        user=shelter_worker, kind="referral.consent_withdrawn"
    ).exists()
    assert referral_shared_data(actor=shelter_worker, referral=referral) == {}


def test_identification_referral_and_decision(case, manager):
    body = make_organisation(
        "RS", name="Identification centre (test)", sector="identification_body"
    )
    service = make_service(body, "identification")
    officer = make_user("officer", role="identification_officer", organisation=body)
    consent_for(case, manager, body)
    referral = referral_send(
        actor=manager, case=case, service=service, reason="Formal identification", urgency="urgent"
    )
    deadline = Deadline.objects.get(referral=referral, kind="identification_decision")
    hours = (deadline.due_at - referral.created_at).total_seconds() / 3600
    assert round(hours) == 24  # Serbia's panel decides within 24 hours (SOP data)
    referral_accept(actor=officer, referral=referral)
    referral_decide(
        actor=officer, referral=referral, status="Actual", decided_on=timezone.localdate()
    )
    case.refresh_from_db()
    assert case.trafficking_status == "Actual"
    assert case.decisions.get().organisation == body
    deadline.refresh_from_db()
    assert deadline.done_at is not None


def test_a_failure_in_the_middle_of_a_transition_leaves_nothing_half_done(
    case, manager, shelter_service, shelter, shelter_worker, monkeypatch
):
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
    )
    import veza.referrals.services as services

    def broken_notify(*args, **kwargs):
        raise RuntimeError("mail queue unavailable")

    monkeypatch.setattr(services, "notify", broken_notify)
    events, audits = case.events.count(), AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        referral_accept(actor=shelter_worker, referral=referral)
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.status == "sent" and fresh.version == 1 and fresh.responded_by is None
    assert case.events.count() == events and AuditEntry.objects.count() == audits
    assert Deadline.objects.get(referral=referral, kind="first_contact").done_at is None


def test_deadlines_remind_then_escalate_to_the_coordinator(case, manager, shelter_service, shelter):
    coordinator = make_user(
        "coord",
        role="national_coordinator",
        organisation=make_organisation("RS", sector="national_coordinator"),
    )
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
    )
    deadline = Deadline.objects.get(referral=referral, kind="first_contact")
    assert deadlines_check(now=deadline.due_at - timedelta(hours=30)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert deadlines_check(now=deadline.due_at - timedelta(hours=2)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert deadlines_check(now=deadline.due_at - timedelta(hours=1)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert deadlines_check(now=deadline.due_at + timedelta(minutes=5)) == {
        "reminded": 0,
        "escalated": 1,
    }
    assert Notification.objects.filter(user=coordinator, kind="deadline.overdue").exists()
    assert deadlines_check(now=deadline.due_at + timedelta(hours=5))["escalated"] == 0


def test_services_in_the_directory(shelter):
    worker = make_user("sw", role="service_provider", organisation=shelter)
    with pytest.raises(ValidationError) as info:
        service_save(
            actor=worker,
            organisation=shelter,
            service_type="spa",
            target_groups=["cats"],
            capacity_total=2,
            capacity_free=5,
        )
    assert set(info.value.fields) == {"service_type", "target_groups", "capacity_free"}
    service = service_save(
        actor=worker,
        organisation=shelter,
        service_type="shelter",
        target_groups=["women", "children"],
        capacity_total=8,
        capacity_free=2,
    )
    with pytest.raises(ValidationError) as info:
        service_save(actor=worker, organisation=shelter, service_type="shelter")
    assert "already" in info.value.fields["service_type"][0]
    updated = service_save(
        actor=worker,
        organisation=shelter,
        service=service,
        expected_version=service.version,
        service_type="shelter",
        capacity_total=8,
        capacity_free=1,
    )
    assert updated.capacity_free == 1 and updated.version == 2
    outsider = make_user("x", role="service_provider", organisation=make_organisation("RS"))
    with pytest.raises(PermissionDeniedError):
        service_save(actor=outsider, organisation=shelter, service_type="health")


@pytest.mark.django_db(transaction=True)
def test_the_worker_escalates_overdue_deadlines_and_mails_in_the_recipients_language(
    settings, case, manager, shelter_service, shelter, shelter_worker
):
    from django.core.management import call_command
    from django.utils import translation

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    coordinator = make_user(
        "coord",
        role="national_coordinator",
        organisation=make_organisation("RS", sector="national_coordinator"),
    )
    coordinator.email, coordinator.language = "coord@example.org", "sr"
    coordinator.save()
    consent_for(case, manager, shelter)
    referral = referral_send(
        actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent"
    )
    Deadline.objects.filter(referral=referral).update(due_at=timezone.now() - timedelta(hours=1))
    mail.outbox.clear()
    # The worker closes its database connections between tasks, as in production: this test
    # commits for real (transaction=True) so that nothing depends on one open transaction.
    call_command("veza_worker", batch=True, verbosity=0)  # escalates and queues the e-mails
    call_command("veza_worker", batch=True, verbosity=0)  # sends whatever is left
    assert Deadline.objects.get(referral=referral, kind="first_contact").escalated_at is not None
    assert Notification.objects.filter(user=coordinator, kind="deadline.overdue").exists()
    sent = [m for m in mail.outbox if "coord@example.org" in m.to]
    assert len(sent) == 1 and case.code in sent[0].body
    with translation.override("sr"):
        expected = "Veza: " + translation.gettext("A deadline has passed")
    assert sent[0].subject == expected != "Veza: A deadline has passed"


def test_deadlines_command(case, manager, shelter_service, shelter, capsys):
    from django.core.management import call_command

    consent_for(case, manager, shelter)
    referral_send(actor=manager, case=case, service=shelter_service, reason="Bed", urgency="urgent")
    Deadline.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    call_command("deadlines", "check")
    assert '"escalated": 1' in capsys.readouterr().out
