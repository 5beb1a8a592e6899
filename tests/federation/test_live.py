"""Three instances as separate processes — RS, MK and the hub, each `veza serve` on a free
loopback port with its own SQLite database and keys (also when the suite itself runs on
PostgreSQL: the instances are not the test database) — set up as `make federation-demo` does, then
driven over real HTTP: a referral between participants, a delivery that waits for a stopped peer,
bad packets at a live inbox, and a release pushed to the hub and acknowledged.

The instances are built once, on free ports (so parallel test runs do not clash), and stopped at
the end whatever happens."""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest

from veza.federation import live


@pytest.fixture
def federation(tmp_path):
    instances = live.make_instances(tmp_path, ("RS", "MK", "HUB"))
    rs, mk, hub = instances
    try:
        people = live.prepare(instances)
        mk.veza("federation", "publish-directory")
        assert mk.veza("federation", "flush").startswith("delivered: 1")
        yield SimpleNamespace(rs=rs, mk=mk, hub=hub, cases=people[rs.id]["cross_border_consent"])
    finally:
        live.stop_all(instances)


def test_three_live_instances(federation, tmp_path):
    """One test, so that the instances are built once whatever xdist does with the tests:
    each check below stands on its own (its own case, its own packets)."""
    check_a_referral_is_offered_accepted_and_updated(federation)
    check_a_packet_waits_while_the_peer_is_down_and_arrives_after_restart(federation)
    check_tampered_replayed_and_expired_packets_are_refused_and_logged(federation, tmp_path)
    check_a_release_reaches_the_hub_and_is_acknowledged(federation)


def _offer(federation, case):
    sent = federation.rs.json(
        "federation-demo", "offer", "--case", case,
        "--to-instance", federation.mk.id, "--service-type", "shelter",
    )  # fmt: skip
    assert sent["status"] == "offered" and sent["packet"]["type"] == "referral.offer"
    return sent


def _flush(instance, *flags):
    return instance.veza("federation", "flush", *flags).strip()


def check_a_referral_is_offered_accepted_and_updated(federation):
    rs, mk = federation.rs, federation.mk
    sent = _offer(federation, federation.cases[0])
    reference = sent["reference"]
    assert _flush(rs) == "delivered: 1, still waiting: 0"
    there = mk.json("federation-demo", "show", "--reference", reference)
    assert there["status"] == "offered" and there["direction"] == "in"
    assert there["case"].startswith("MK-") and there["remote_case_code"] == federation.cases[0]
    assert "referral.cross_border_received" in there["timeline"]

    mk.json("federation-demo", "respond", "--reference", reference, "--accept")
    assert _flush(mk) == "delivered: 1, still waiting: 0"
    mk.json("federation-demo", "update", "--reference", reference, "--status", "in_progress")
    assert _flush(mk) == "delivered: 1, still waiting: 0"

    here = rs.json("federation-demo", "show", "--reference", reference)
    assert here["status"] == "in_progress" and here["remote_case_code"] == there["case"]
    kinds = [k for k in here["timeline"] if k.startswith("referral.")]
    assert kinds == [
        "referral.cross_border_offered",
        "referral.cross_border_accepted",
        "referral.cross_border_in_progress",
    ]
    # Each side logged the packet's journey: queued and delivered here, processed there.
    packet = sent["packet"]["id"]
    assert f"delivered referral.offer {packet}" in "\n".join(live.federation_log(rs, 100))
    assert f"processed referral.offer {packet}" in "\n".join(live.federation_log(mk, 100))


def check_a_packet_waits_while_the_peer_is_down_and_arrives_after_restart(federation):
    rs, mk = federation.rs, federation.mk
    mk.stop()
    try:
        sent = _offer(federation, federation.cases[1])
        assert _flush(rs) == "delivered: 0, still waiting: 1"
        waiting = rs.veza("federation", "outbox")
        assert sent["packet"]["id"] in waiting and "attempts=1" in waiting
        assert "Connection refused" in waiting
        mk.start()
        # --force: now, without waiting for the back-off (10 s after the first attempt).
        assert _flush(rs, "--force") == "delivered: 1, still waiting: 0"
    finally:
        mk.start()
    assert rs.veza("federation", "outbox").strip() == ""
    there = mk.json("federation-demo", "show", "--reference", sent["reference"])
    assert there["status"] == "offered" and there["case"].startswith("MK-")


def check_tampered_replayed_and_expired_packets_are_refused_and_logged(federation, tmp_path):
    rs, mk = federation.rs, federation.mk
    sent = _offer(federation, federation.cases[2])
    assert _flush(rs) == "delivered: 1, still waiting: 0"
    copy = tmp_path / "offer.packet"
    rs.veza("federation", "export", sent["packet"]["id"], "--out", str(copy))
    raw = copy.read_bytes()

    assert mk.post(live.tamper(raw)) == (400, {"status": "rejected", "reason": "bad_signature"})
    assert mk.post(raw) == (200, {"status": "duplicate", "id": sent["packet"]["id"]})
    # Sealed with RS's real keys, for MK, but its time is up.
    expired = live.forge(
        rs, mk, "referral.update", {"reference": str(uuid.uuid4()), "status": "withdrawn"},
        ttl=timedelta(seconds=-1),
    )  # fmt: skip
    assert mk.post(expired) == (400, {"status": "rejected", "reason": "expired"})

    rejected = mk.json("federation-demo", "rejected")
    assert [(r["reason"], r["sender"], r["transport"]) for r in rejected][-3:] == [
        ("bad_signature", rs.id, "https"),
        ("replayed", rs.id, "https"),
        ("expired", rs.id, "https"),
    ]
    assert rejected[-2]["packet"] == sent["packet"]["id"]
    log = live.federation_log(mk, limit=50)
    for reason in ("bad_signature", "replayed", "expired"):
        assert any(f"from {rs.id}: {reason}" in line for line in log)


def check_a_release_reaches_the_hub_and_is_acknowledged(federation):
    rs, hub = federation.rs, federation.hub
    year = int(federation.cases[0].split("-")[1])
    sent = rs.json("release-demo", "send", "--year", str(year))
    assert sent["status"] == "sent" and sent["sent_to"] == "hub"
    assert sent["acknowledged_at"] is None
    assert _flush(rs) == "delivered: 1, still waiting: 0"
    received = hub.json("release-demo", "show")["received"]
    assert [(r["participant"], r["year"], r["revision"]) for r in received] == [("RS", year, 1)]

    assert _flush(hub) == "delivered: 1, still waiting: 0"  # the receipt
    shown = rs.json("release-demo", "show")["release"]
    assert shown["id"] == sent["id"] and shown["acknowledged_at"]
    assert shown["hub_receipt"]["hub"] == hub.id and shown["hub_receipt"]["revision"] == 1
