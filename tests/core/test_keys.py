"""Field keys (SECURITY.md row 15): rotation re-seals every value, retirement takes a key out of
use, and neither loses or exposes a value, even when a rotation stops half-way."""

import base64
import io
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import make_case, make_user
from veza.cases.models import Identity
from veza.cases.services import identity_search, identity_write
from veza.core import keyring
from veza.core.crypto import SealError, field_keys, open_value, seal_value
from veza.core.errors import PermissionDeniedError
from veza.core.keyring import field_key_rotate, field_key_status, sealed_columns, sealed_key_id
from veza.core.models import AuditEntry
from veza.federation.models import CrossBorderReferral, Peer

pytestmark = pytest.mark.django_db

NAMES = [("Jelena", "Marković"), ("Đorđe", "Šćepanović"), ("Arta", "Krasniqi")]


@pytest.fixture(autouse=True)
def _keys(isolated_keys):
    return isolated_keys


@pytest.fixture
def manager(organisation):
    return make_user("manager", role="case_manager", organisation=organisation)


@pytest.fixture
def people(organisation, manager):
    """Three cases with identities and a referral abroad: sealed values in two apps."""
    cases = []
    for given, family in NAMES:
        case = make_case(organisation, user=manager, sex="female", age=30)
        identity_write(
            actor=manager,
            case=case,
            given_names=given,
            family_name=family,
            date_of_birth="1990-01-02",
            documents=[{"type": "passport", "number": f"P-{family}"}],
        )
        cases.append(case)
    peer = Peer.objects.create(
        instance="mk", name="MK", participant="MK", role="national", base_url="https://mk.test"
    )
    CrossBorderReferral.objects.create(
        reference="5f0c7d4e-0000-4000-8000-000000000001",
        direction="out",
        peer=peer,
        case=cases[0],
        organisation=organisation,
        reason="Needs a safe shelter near her family",
        urgency="high",
        shared_data={"family_name": "Marković"},
    )
    return cases


def _tokens() -> dict[str, list[str]]:
    """Every non-empty sealed value, as stored, per table.column (found in the registry)."""
    found = {}
    qn = connection.ops.quote_name
    for model, fields in sealed_columns():
        for f in fields:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {qn(f.column)} FROM {qn(model._meta.db_table)}")  # noqa: S608
                found[f"{model._meta.db_table}.{f.column}"] = [r[0] for r in cursor if r[0]]
    return found


def _quiet():
    return {"stdout": io.StringIO(), "stderr": io.StringIO()}


def _everything_opens(people):
    for case, (given, family) in zip(people, NAMES, strict=True):
        identity = Identity.objects.get(case=case)
        assert (identity.given_names, identity.family_name) == (given, family)
        assert identity.documents == [{"type": "passport", "number": f"P-{family}"}]
    referral = CrossBorderReferral.objects.get()
    assert referral.reason.startswith("Needs a safe shelter")
    assert referral.shared_data == {"family_name": "Marković"}


def test_sealed_columns_are_found_in_the_model_registry():
    tables = {m._meta.db_table: {f.column for f in fs} for m, fs in sealed_columns()}
    assert {"given_names", "family_name", "documents", "languages"} <= tables["cases_identity"]
    assert {"reason", "shared_data", "decline_reason"} <= tables["federation_crossborderreferral"]


def test_rotate_reseals_every_value_under_a_new_key(people, manager, isolated_keys):
    before = _tokens()
    assert {sealed_key_id(t) for ts in before.values() for t in ts} == {1}
    out = io.StringIO()
    call_command("keys", "rotate", "--batch-size", "2", stdout=out, stderr=io.StringIO())
    assert (isolated_keys / "field-2.key").exists() and max(field_keys()) == 2
    after = _tokens()
    old = {t for ts in before.values() for t in ts}
    for column, tokens in after.items():
        assert len(tokens) == len(before[column]), column
        assert all(t.startswith("vz1:2:") for t in tokens), column
        assert not old & set(tokens), column
    _everything_opens(people)
    # Look-ups by keyed hash use the separate search-index key: they still find the person.
    assert identity_search(actor=manager, name="djordje scepanovic") == [people[1]]
    entry = AuditEntry.objects.filter(action="keys.rotate").get()
    assert entry.detail["key_id"] == 2 and entry.detail["created"] is True
    assert entry.detail["resealed"]["cases_identity"] == sum(
        len(v) for k, v in after.items() if k.startswith("cases_identity.")
    )
    assert "Marković" not in str(entry.detail) and "Jelena" not in str(entry.detail)
    assert "cases_identity:" in out.getvalue()
    # A second run under the same key has nothing left to do.
    _key_id, resealed = field_key_rotate(actor="cli:test", reseal_only=True)
    assert set(resealed.values()) == {0}


def test_retire_refuses_while_a_value_uses_the_key_and_works_after_rotation(people, isolated_keys):
    old_token = _tokens()["cases_identity.family_name"][0]
    with pytest.raises(CommandError, match="seals new values"):
        call_command("keys", "retire", "1", **_quiet())
    # A second key appears (as after an interrupted rotation): key 1 still seals every value.
    (isolated_keys / "field-2.key").write_text(secrets.token_bytes(32).hex())
    with pytest.raises(CommandError, match=r"still seals values \(cases_identity: \d+, fed"):
        call_command("keys", "retire", "1", **_quiet())
    assert (isolated_keys / "field-1.key").exists()
    call_command("keys", "rotate", "--reseal", **_quiet())
    call_command("keys", "retire", "1", **_quiet())
    assert not (isolated_keys / "field-1.key").exists()
    assert (isolated_keys / "field-1.key.retired").exists()
    assert sorted(field_keys()) == [2]
    _everything_opens(people)
    # The retired key is not used any more: what it sealed does not open.
    with pytest.raises(SealError):
        open_value(old_token, context="cases_identity.family_name")
    assert AuditEntry.objects.filter(action="keys.retire", detail__key_id=1).exists()
    status = io.StringIO()
    call_command("keys", "status", stdout=status)
    assert "Retired: 1" in status.getvalue() and "key 2:" in status.getvalue()
    # The next key never reuses a retired id, and `keys init` does not bring field-1 back.
    call_command("keys", "init", **_quiet())
    assert not (isolated_keys / "field-1.key").exists()
    assert (isolated_keys / "backup.key").exists()


def test_retire_refuses_an_unknown_key():
    with pytest.raises(CommandError, match="no field key 7"):
        call_command("keys", "retire", "7", **_quiet())


def test_a_value_sealed_with_an_unknown_key_does_not_open():
    token = seal_value("Hoxha", context="cases_identity.family_name")
    _prefix, _id, payload = token.split(":", 2)
    with pytest.raises(SealError):
        open_value(f"vz1:9:{payload}", context="cases_identity.family_name")


def test_an_interrupted_rotation_leaves_every_value_readable_and_a_second_run_completes(
    people, monkeypatch
):
    real_seal = keyring.seal_value
    calls = {"n": 0}

    def failing_seal(plain, *, context):
        calls["n"] += 1
        if calls["n"] == 9:
            raise RuntimeError("power cut")
        return real_seal(plain, context=context)

    monkeypatch.setattr(keyring, "seal_value", failing_seal)
    with pytest.raises(RuntimeError, match="power cut"):
        field_key_rotate(actor="cli:test", batch_size=1)
    per_key = field_key_status().counts["cases_identity"]
    assert per_key.get(1) and per_key.get(2)  # half-way: both keys in use
    _everything_opens(people)
    monkeypatch.setattr(keyring, "seal_value", real_seal)
    call_command("keys", "rotate", "--reseal", **_quiet())
    assert {sealed_key_id(t) for ts in _tokens().values() for t in ts} == {2}
    _everything_opens(people)


def test_a_rotation_never_overwrites_a_value_changed_meanwhile(people, monkeypatch):
    identity = Identity.objects.get(case=people[2])
    newer = seal_value("Berisha", context="cases_identity.family_name")
    real_open = keyring.open_value

    def open_while_a_user_writes(token, *, context):
        if context == "cases_identity.family_name" and real_open(token, context=context) == (
            "Krasniqi"
        ):
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE cases_identity SET family_name = %s WHERE id = %s",
                    [newer, identity.pk],
                )
        return real_open(token, context=context)

    monkeypatch.setattr(keyring, "open_value", open_while_a_user_writes)
    field_key_rotate(actor="cli:test")
    assert Identity.objects.get(case=people[2]).family_name == "Berisha"


def test_with_keys_in_the_environment_rotate_explains_what_the_operator_does(monkeypatch):
    first, second = (base64.b64encode(secrets.token_bytes(32)).decode() for _ in range(2))
    monkeypatch.setenv("VEZA_FIELD_KEYS", f"1:{first}")
    token = seal_value("Hoxha", context="cases_identity.family_name")
    with pytest.raises(CommandError, match=r"VEZA_FIELD_KEYS.*'2:.*--reseal"):
        call_command("keys", "rotate", **_quiet())
    monkeypatch.setenv("VEZA_FIELD_KEYS", f"1:{first},2:{second}")
    assert open_value(token, context="cases_identity.family_name") == "Hoxha"
    call_command("keys", "rotate", "--reseal", **_quiet())
    with pytest.raises(CommandError, match="remove key 1 from the variable"):
        call_command("keys", "retire", "1", **_quiet())


def test_only_the_operator_rotates(people, manager):
    with pytest.raises(PermissionDeniedError):
        field_key_rotate(actor=manager)
