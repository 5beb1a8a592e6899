"""Fuzzing the inbox beyond the envelope: packets well signed and sealed by a trusted peer,
whose payload is a valid one broken in plausible ways (fields dropped or of the wrong type,
huge or odd strings, the whole payload replaced). The answer is "processed" or a refusal
(PacketError, logged) — never another exception — and a refused packet changes nothing but the
log of rejected packets and its audit entry."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_organisation, make_service
from tests.federation.test_inbox import _offer
from tests.mutations import mutated
from veza.cases.models import Case
from veza.federation import services
from veza.federation.envelope import PacketError
from veza.federation.models import CrossBorderReferral, Packet, RemoteService
from veza.referrals.models import Referral

pytestmark = pytest.mark.django_db

TYPES = [
    "referral.offer",
    "referral.response",
    "referral.update",
    "directory.publish",
    "release.submit",
    "release.receipt",
]


@pytest.fixture
def payloads(remote):
    shelter = make_service(make_organisation("MK", sector="shelter_protection"), "shelter")
    reference = str(uuid.uuid4())
    return [
        _offer(shelter, reference),
        {"reference": reference, "status": "accepted", "case_code": "MK-2026-ABCDEF"},
        {"reference": reference, "status": "in_progress"},
        {
            "published_at": "2026-11-20T10:00:00+00:00",
            "services": [
                {"id": 7, "organisation": "Safe House", "service_type": "shelter", "city": "Niš"}
            ],
        },
        {"participant": "RS", "year": 2025, "files": {}, "sha256": "0" * 64},
    ]


def _state():
    return (
        Case.objects.count(),
        Referral.objects.count(),
        CrossBorderReferral.objects.count(),
        RemoteService.objects.count(),
        Packet.objects.filter(direction=Packet.Direction.OUT).count(),
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), packet_type=st.sampled_from(TYPES))
def test_signed_packets_with_broken_payloads_are_processed_or_refused_cleanly(
    remote, payloads, data, packet_type
):
    payload = data.draw(mutated(payloads))
    if not isinstance(payload, dict):  # a sealed payload is a JSON object (envelope.seal)
        payload = {"reference": payload}
    try:
        _packet_id, raw = remote.packet(packet_type, payload)
    except UnicodeEncodeError:  # a lone surrogate: no peer can seal it, nothing to receive
        return
    before = _state()
    try:
        answer = services.packet_receive(raw.encode() if isinstance(raw, str) else raw)
    except PacketError as error:
        assert error.reason and _state() == before, "a refused packet changed something"
    else:
        assert answer["status"] in ("processed", "duplicate")


def test_a_response_for_an_unknown_referral_is_refused_as_a_bad_payload(remote):
    payload = {"reference": str(uuid.uuid4()), "status": "accepted"}
    for packet_type in ("referral.response", "referral.update"):
        _packet_id, raw = remote.packet(packet_type, payload)
        with pytest.raises(PacketError) as refused:
            services.packet_receive(raw.encode() if isinstance(raw, str) else raw)
        assert refused.value.reason == "bad_payload"
