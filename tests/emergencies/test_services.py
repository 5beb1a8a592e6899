"""Emergency mode as state: who may switch it, what is checked, and that a refused start writes
nothing."""

import pytest

from tests.factories import make_organisation, make_user
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.models import AuditEntry
from veza.organisations.models import (
    EmergencyArea,
    Participant,
    emergency_areas_of,
    emergency_for,
    emergency_for_any,
)
from veza.organisations.services import emergency_end, emergency_start

pytestmark = pytest.mark.django_db


def _start(actor, *organisations, name="Southern border and Preševo reception centre", **kw):
    participant = kw.pop("participant", None) or organisations[0].participant
    return emergency_start(
        actor=actor,
        participant=participant,
        name=name,
        organisation_ids=[o.pk for o in organisations],
        note=kw.pop("note", "About 400 people arrived overnight."),
    )


def _nothing_written(before_audit):
    assert not EmergencyArea.objects.exists()
    assert AuditEntry.objects.count() == before_audit


def test_start_and_end_are_audited_and_the_state_is_read_in_one_query(
    coordinator, border, reception, django_assert_num_queries
):
    area = _start(coordinator, border, reception)
    assert area.is_active and area.started_by == coordinator
    assert set(area.organisations.all()) == {border, reception}
    entry = AuditEntry.objects.filter(action="emergency.start").get()
    assert entry.actor_id == coordinator.pk and entry.object_id == str(area.pk)
    assert entry.detail["organisations"] == sorted([border.pk, reception.pk])
    other = make_organisation("RS", name="Elsewhere (test)")
    with django_assert_num_queries(1):
        assert emergency_for(border) == area
    with django_assert_num_queries(1):
        assert emergency_for(other) is None
    assert emergency_for_any([other.pk, reception.pk]) == area
    assert list(EmergencyArea.objects.active()) == [area]

    ended = emergency_end(actor=coordinator, area=area)
    assert ended.ended_at is not None and ended.ended_by == coordinator
    assert AuditEntry.objects.filter(action="emergency.end", object_id=str(area.pk)).exists()
    assert emergency_for(border) is None and not EmergencyArea.objects.active().exists()
    with pytest.raises(ConflictError):
        emergency_end(actor=coordinator, area=area)


@pytest.mark.parametrize(
    ("name", "field"),
    [("", "name"), ("   ", "name"), ("x" * 121, "name")],
)
def test_a_name_is_required_and_short(coordinator, border, name, field):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        _start(coordinator, border, name=name)
    assert field in caught.value.fields
    _nothing_written(before)


def test_a_name_of_120_characters_is_accepted(coordinator, border):
    assert _start(coordinator, border, name="x" * 120).name == "x" * 120


def test_the_reason_is_short(coordinator, border):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        _start(coordinator, border, note="y" * 301)
    assert caught.value.fields["note"] == ["The reason is at most 300 characters long."]
    _nothing_written(before)


def test_at_least_one_organisation(coordinator, border):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        emergency_start(
            actor=coordinator, participant=border.participant, name="Area", organisation_ids=[]
        )
    assert caught.value.fields["organisations"] == [
        "Choose at least one organisation working in the area."
    ]
    _nothing_written(before)


def test_organisations_of_another_participant_or_unknown_are_refused(coordinator, border):
    foreign = make_organisation("MK", name="Border Police Gevgelija (test)", sector="police")
    before = AuditEntry.objects.count()
    for ids in ([border.pk, foreign.pk], [border.pk, 999_999], ["x"]):
        with pytest.raises(ValidationError) as caught:
            emergency_start(
                actor=coordinator,
                participant=border.participant,
                name="Area",
                organisation_ids=ids,
            )
        assert "organisations" in caught.value.fields
    _nothing_written(before)


def test_an_organisation_is_in_one_active_area_at_most(coordinator, border, reception):
    first = _start(coordinator, border, name="North")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        _start(coordinator, reception, border, name="South")
    assert caught.value.fields["organisations"] == [
        "Border Police Preševo (test) is already in emergency mode, in the area North."
    ]
    assert EmergencyArea.objects.count() == 1 and AuditEntry.objects.count() == before
    assert emergency_areas_of([border.pk, reception.pk]) == {
        border.pk: ("Border Police Preševo (test)", "North")
    }
    # Once the first area has ended, the organisation may join another.
    emergency_end(actor=coordinator, area=first)
    assert _start(coordinator, reception, border, name="South").is_active


def test_only_the_coordinator_of_the_participant_may_switch(coordinator, border):
    frontline = make_user("frontline-rs", role="frontline_professional", organisation=border)
    mk_coordinator = make_user(
        "coordinator-mk",
        role="national_coordinator",
        organisation=make_organisation("MK", name="MK coordination (test)"),
    )
    analyst = make_user(
        "analyst",
        role="regional_analyst",
        organisation=make_organisation("HUB", name="Hub (test)"),
    )
    before = AuditEntry.objects.count()
    for actor in (frontline, mk_coordinator, analyst):
        with pytest.raises(PermissionDeniedError):
            _start(actor, border)
    _nothing_written(before)
    area = _start(coordinator, border)
    for actor in (frontline, mk_coordinator, analyst):
        with pytest.raises(PermissionDeniedError):
            emergency_end(actor=actor, area=area)
    assert EmergencyArea.objects.get().is_active


def test_the_role_of_national_coordinator_holds_the_permission(coordinator):
    assert coordinator.has_perm("organisations.manage_emergency")
    assert Participant.objects.get(code="RS").emergency_areas.count() == 0
