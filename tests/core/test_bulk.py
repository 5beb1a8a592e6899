"""veza.core.bulk: the scale generator's writer stores what `save()` stores."""

import pytest
from django.db import connection
from django.utils import timezone

from veza.cases.models import CaseEvent, Identity
from veza.core.bulk import JSONText, bulk_insert, insert_objects, insert_rows, reserve_ids
from veza.core.crypto import blind_index

from ..factories import make_case, make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    organisation = make_organisation()
    return make_case(organisation, user=make_user(role="case_manager", organisation=organisation))


def test_keys_are_new_increasing_and_never_given_twice(case):
    first = reserve_ids(CaseEvent, 3)
    second = reserve_ids(CaseEvent, 2)
    assert first == sorted(first) and len(set(first + second)) == 5
    existing = set(CaseEvent.objects.values_list("pk", flat=True))
    assert not existing & set(first + second)
    assert reserve_ids(CaseEvent, 0) == []


def test_objects_are_written_as_save_writes_them(case):
    at = timezone.now()
    given = Identity(
        case=case,
        given_names="Ana",
        family_name="Đurić",
        languages=["Arabic"],
        family_name_index=blind_index("Đurić", purpose="family_name"),
        updated_at=at,
    )
    insert_objects(Identity, [given])
    assert given.pk is not None
    stored = Identity.objects.get(pk=given.pk)
    assert (stored.given_names, stored.family_name, stored.languages) == (
        "Ana",
        "Đurić",
        ["Arabic"],
    )
    assert stored.updated_at == at
    # Sealed at rest, each value with its own nonce; found by the blind index of a spelling.
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_names FROM cases_identity WHERE id = %s", [given.pk])
        assert cursor.fetchone()[0].startswith("vz1:")
    index = blind_index("DJURIC", purpose="family_name")
    assert Identity.objects.filter(family_name_index=index).get().pk == given.pk


def test_rows_convert_like_django_and_take_serialised_json(case):
    at = timezone.now()
    insert_rows(
        CaseEvent,
        ["case_id", "actor_id", "organisation_id", "kind", "detail", "at"],
        [
            (case.pk, None, case.organisation_id, "test.a", {"n": [1, "ž"]}, at),
            (case.pk, None, case.organisation_id, "test.b", JSONText('{"n": 2}'), at),
        ],
    )
    bulk_insert(CaseEvent, [CaseEvent(case=case, kind="test.c", detail={}, at=at)])
    stored = {e.kind: e for e in CaseEvent.objects.filter(kind__startswith="test.")}
    assert stored["test.a"].detail == {"n": [1, "ž"]}
    assert stored["test.b"].detail == {"n": 2}
    assert stored["test.c"].at == at and stored["test.c"].organisation_id is None
