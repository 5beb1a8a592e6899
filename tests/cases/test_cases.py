"""Cases: sealed identity, keyed look-ups, consent, decisions, versions, scope."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.factories import make_case, make_organisation, make_screening, make_user
from veza.cases.models import Case, CaseEvent, Consent, Identity
from veza.cases.services import (
    case_close,
    case_open,
    case_update,
    consent_covers,
    consent_record,
    consent_withdraw,
    consent_withdrawn,
    decision_record,
    identity_read,
    identity_search,
    identity_write,
)
from veza.core.crypto import SealError, blind_index, normalise_for_index, open_value, seal_value
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organisation):
    return make_user("manager", role="case_manager", organisation=organisation)


@pytest.fixture
def case(organisation, manager):
    return make_case(organisation, user=manager, sex="female", age=24, citizenship="rs")


# --- Field encryption -----------------------------------------------------------------------


def test_identity_is_ciphertext_in_the_database(case, manager):
    identity_write(
        actor=manager,
        case=case,
        given_names="Jelena",
        family_name="Marković",
        date_of_birth="2001-04-03",
        documents=[{"type": "passport", "number": "X123"}],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_names, family_name, date_of_birth, documents FROM cases_identity"
        )
        row = cursor.fetchone()
    raw = " ".join(row)
    for secret in ("Jelena", "Marković", "2001-04-03", "X123", "passport"):
        assert secret not in raw
    assert all(value.startswith("vz1:") for value in row)
    identity = Identity.objects.get(case=case)
    assert identity.family_name == "Marković" and identity.documents[0]["number"] == "X123"


def test_a_flipped_byte_does_not_open(case, manager):
    identity_write(actor=manager, case=case, family_name="Hoxha")
    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name FROM cases_identity")
        (token,) = cursor.fetchone()
    prefix, key_id, payload = token.split(":", 2)
    flipped = payload[:-6] + ("A" if payload[-6] != "A" else "B") + payload[-5:]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_identity SET family_name = %s", [f"{prefix}:{key_id}:{flipped}"]
        )
    with pytest.raises(SealError):
        Identity.objects.get(case=case)


def test_a_value_cannot_be_moved_to_another_column():
    token = seal_value("Hoxha", context="cases_identity.family_name")
    assert open_value(token, context="cases_identity.family_name") == "Hoxha"
    with pytest.raises(SealError):
        open_value(token, context="cases_identity.given_names")


def test_names_are_found_by_keyed_hash_in_any_spelling(case, manager, organisation):
    identity_write(actor=manager, case=case, given_names="Đorđe", family_name="Šćepanović")
    assert normalise_for_index("  ĐORĐE   Šćepanović ") == "djordje scepanovic"
    assert identity_search(actor=manager, name="djordje SCEPANOVIC") == [case]
    assert identity_search(actor=manager, name="Šćepanović") == [case]
    assert identity_search(actor=manager, name="Šćep") == []
    index = Identity.objects.get(case=case).full_name_index
    import hashlib

    plain = hashlib.sha256(b"djordje scepanovic").hexdigest()
    assert index != plain and index == blind_index("Đorđe Šćepanović", purpose="full_name")
    assert AuditEntry.objects.filter(action="identity.search").exists()


def test_other_organisations_never_find_the_name(case, manager):
    identity_write(actor=manager, case=case, given_names="Ana", family_name="Petrova")
    elsewhere = make_user("elsewhere", role="case_manager", organisation=make_organisation("RS"))
    assert identity_search(actor=elsewhere, name="Ana Petrova") == []


# --- Who may see what -----------------------------------------------------------------------


def test_identity_only_with_the_identity_permission_in_the_owning_organisation(
    case, manager, organisation
):
    identity_write(actor=manager, case=case, family_name="Krasniqi")
    frontline = make_user("front", role="frontline_professional", organisation=organisation)
    coordinator = make_user(
        "coord", role="national_coordinator", organisation=make_organisation("RS")
    )
    other_manager = make_user("other", role="case_manager", organisation=make_organisation("RS"))
    assert identity_read(actor=manager, case=case).family_name == "Krasniqi"
    assert AuditEntry.objects.filter(action="identity.read", actor_id=manager.pk).exists()
    for user in (frontline, coordinator, other_manager):
        with pytest.raises(PermissionDeniedError):
            identity_read(actor=user, case=case)
        with pytest.raises(PermissionDeniedError):
            identity_write(actor=user, case=case, family_name="X")


def test_case_visibility(case, organisation):
    same_participant = make_user("same", role="case_manager", organisation=make_organisation("RS"))
    coordinator = make_user(
        "coord", role="national_coordinator", organisation=make_organisation("RS")
    )
    foreign = make_user(
        "foreign", role="national_coordinator", organisation=make_organisation("BA")
    )
    analyst = make_user("analyst", role="regional_analyst", organisation=make_organisation("HUB"))
    colleague = make_user("colleague", role="frontline_professional", organisation=organisation)
    assert list(Case.objects.visible_to(colleague)) == [case]
    assert list(Case.objects.visible_to(coordinator)) == [case]
    for user in (same_participant, foreign, analyst):
        assert not Case.objects.visible_to(user).exists()


def test_a_coordinators_lists_are_one_condition_on_the_participant(case, organisation):
    """A national coordinator's organisation lies in the participant they see whole, so it adds
    nothing to the filter: the lists stay one condition that an index answers in order (bench:
    the case and screening lists at 100,000 cases). Someone holding both kinds of scope in two
    participants keeps both conditions."""
    from veza.organisations.models import Membership, Role
    from veza.screening.models import Screening

    coordinator = make_user(
        "coord", role="national_coordinator", organisation=make_organisation("RS")
    )
    for model in (Case, Screening):
        sql = str(model.objects.visible_to(coordinator).query)
        assert " OR " not in sql, sql
    assert list(Case.objects.visible_to(coordinator)) == [case]
    elsewhere = make_organisation("BA")
    Membership.objects.create(
        user=coordinator, organisation=elsewhere, role=Role.objects.get(code="case_manager")
    )
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # a fresh scope
    abroad = make_case(elsewhere, age=30)
    assert " OR " in str(Case.objects.visible_to(coordinator).query)
    assert set(Case.objects.visible_to(coordinator)) == {case, abroad}


# --- Opening, editing, closing ---------------------------------------------------------------


def test_open_from_a_screening_carries_what_it_found(organisation, manager):
    screening = make_screening(
        organisation,
        answers={
            "age": "unknown_child",
            "forced_work": "yes",
            "deceived_job": "yes",
            "alone_child": "yes",
        },
        complete=True,
        user=manager,
    )
    case = case_open(actor=manager, organisation=organisation, screening=screening)
    assert case.is_child and list(case.screenings.all()) == [screening]
    assert case.code.startswith(f"RS-{timezone.now().year}-")
    assert CaseEvent.objects.filter(case=case, kind="case.opened").exists()


def test_presumed_victim_starts_the_reflection_period(organisation, manager):
    answers = {
        "age": 30,
        "deceived_job": "yes",
        "unpaid": "yes",
        "documents_held": "yes",
        "owes_debt": "yes",
        "harmed": "yes",
        "not_free": "yes",
        "forced_work": "yes",
    }
    screening = make_screening(organisation, answers=answers, complete=True, user=manager)
    case = case_open(actor=manager, organisation=organisation, screening=screening)
    assert (screening.outcome == "presumed_victim") == (case.reflection_started_at is not None)


def test_a_draft_or_foreign_screening_cannot_open_a_case(organisation, manager, other_org):
    draft = make_screening(organisation, answers={"age": 30}, user=manager)
    with pytest.raises(ValidationError):
        case_open(actor=manager, organisation=organisation, screening=draft)
    foreign = make_screening(other_org, complete=True)
    with pytest.raises(ValidationError):
        case_open(actor=manager, organisation=organisation, screening=foreign)
    assert not Case.objects.exists()


def test_bad_facts_change_nothing(case, manager):
    with pytest.raises(ValidationError) as info:
        case_update(
            actor=manager,
            case=case,
            expected_version=case.version,
            sex="tall",
            exploitation=["sexual_exploitation", "nonsense"],
            citizenship="Serbia",
        )
    assert set(info.value.fields) == {"sex", "exploitation", "citizenship"}
    case.refresh_from_db()
    assert case.sex == "female" and case.version == 1


def test_second_save_of_the_same_version_gets_a_conflict(case, manager):
    stale = Case.objects.get(pk=case.pk)
    case_update(actor=manager, case=case, expected_version=case.version, age=25)
    with pytest.raises(ConflictError):
        case_update(actor=manager, case=stale, expected_version=stale.version, age=26)
    assert Case.objects.get(pk=case.pk).age == 25


def test_a_closed_case_cannot_be_edited(case, manager):
    case_close(actor=manager, case=case, expected_version=case.version)
    for call in (
        lambda: case_update(actor=manager, case=case, expected_version=case.version, age=30),
        lambda: identity_write(actor=manager, case=case, family_name="X"),
        lambda: consent_record(
            actor=manager, case=case, purpose="assistance", information_version="v1"
        ),
    ):
        with pytest.raises(ValidationError, match="closed"):
            call()


# --- Consent -----------------------------------------------------------------------------------


def test_consent_per_purpose_and_recipient(case, manager):
    shelter = make_organisation("RS", sector="shelter_protection")
    with pytest.raises(ValidationError) as info:
        consent_record(actor=manager, case=case, purpose="referral", information_version="")
    assert set(info.value.fields) == {"recipient", "information_version"}
    consent = consent_record(
        actor=manager,
        case=case,
        purpose="referral",
        recipient=shelter,
        information_version="info-sheet-2026-1",
    )
    assert consent_covers(case, purpose="referral", recipient=shelter)
    assert not consent_covers(case, purpose="referral", recipient=make_organisation("RS"))
    assert not consent_covers(case, purpose="data_sharing", recipient=shelter)
    received = []
    consent_withdrawn.connect(
        lambda **kw: received.append(kw["consent"].pk), weak=False, dispatch_uid="test-withdrawn"
    )
    try:
        consent_withdraw(actor=manager, consent=consent, note="changed her mind")
    finally:
        consent_withdrawn.disconnect(dispatch_uid="test-withdrawn")
    assert received == [consent.pk]
    assert not consent_covers(case, purpose="referral", recipient=shelter)
    with pytest.raises(ValidationError, match="already"):
        consent_withdraw(actor=manager, consent=consent)


def test_a_childs_consent_comes_from_the_guardian_with_the_childs_views(organisation, manager):
    child = make_case(organisation, user=manager, is_child=True, age=15)
    with pytest.raises(ValidationError) as info:
        consent_record(actor=manager, case=child, purpose="assistance", information_version="v1")
    assert set(info.value.fields) == {"given_by", "child_views"}
    consent = consent_record(
        actor=manager,
        case=child,
        purpose="assistance",
        information_version="v1",
        given_by="guardian",
        child_views="Wants to stay with her aunt.",
    )
    assert consent.given_by == "guardian"


# --- Formal identification -----------------------------------------------------------------------


def test_identification_body_records_the_decision(case):
    body = make_organisation("RS", sector="identification_body")
    officer = make_user("officer", role="identification_officer", organisation=body)
    decision = decision_record(
        actor=officer,
        case=case,
        status="Actual",
        organisation=body,
        decided_on=timezone.localdate(),
    )
    case.refresh_from_db()
    assert case.trafficking_status == "Actual" and decision.organisation == body
    assert case.reflection_started_at is not None
    with pytest.raises(ValidationError):
        decision_record(
            actor=officer,
            case=case,
            status="Actual",
            organisation=body,
            decided_on=timezone.localdate() + dt.timedelta(days=2),
        )
    frontline = make_user("front", role="frontline_professional", organisation=body)
    with pytest.raises(PermissionDeniedError):
        decision_record(
            actor=frontline,
            case=case,
            status="NotAVictim",
            organisation=body,
            decided_on=timezone.localdate(),
        )


def test_a_failure_inside_a_decision_leaves_nothing_half_done(case, monkeypatch):
    body = make_organisation("RS", sector="identification_body")
    officer = make_user("officer", role="identification_officer", organisation=body)
    import veza.cases.services as services

    def boom(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_event", boom)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        decision_record(
            actor=officer,
            case=case,
            status="Actual",
            organisation=body,
            decided_on=timezone.localdate(),
        )
    case.refresh_from_db()
    assert case.trafficking_status == "Possible" and not case.decisions.exists()
    assert AuditEntry.objects.count() == before


def test_consent_rows_are_not_touched_by_a_failed_withdrawal(case, manager, monkeypatch):
    consent = consent_record(
        actor=manager, case=case, purpose="assistance", information_version="v1"
    )
    import veza.cases.services as services

    monkeypatch.setattr(
        services, "audit_log", lambda *a, **k: (_ for _ in ()).throw(RuntimeError())
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        consent_withdraw(actor=manager, consent=consent)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None


def test_demo_cases_span_every_participant_with_consent_and_decisions():
    from veza.core.demo import demo_steps

    for step in demo_steps():
        step.run()
    cases = Case.objects.filter(is_demo=True)
    assert {c.participant.code for c in cases} == {"AL", "BA", "XK", "ME", "MK", "RS"}
    assert all(c.consents.exists() for c in cases)
    assert cases.filter(trafficking_status="Actual").exists()
    assert Identity.objects.filter(case__in=cases).exclude(full_name_index="").exists()
    from veza.core.audit import audit_verify

    assert audit_verify().ok
