"""Transnational referral: a case worker refers a person to a service of another participant,
with cross-border consent, sharing only the chosen fields. The other instance opens a linked case
under its own pseudonymous code, its organisation accepts or declines, and status updates flow
back; both timelines show the exchange. Also each instance's published service directory."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from veza.cases.models import Case, CaseEvent, Consent, new_case_code
from veza.core.audit import audit_log
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.federation.models import CrossBorderReferral, CrossBorderStatus, Peer, RemoteService
from veza.federation.services import packet_queue
from veza.organisations.models import Participant
from veza.referrals.choices import ServiceType, Urgency
from veza.referrals.models import Service
from veza.referrals.services import (
    CASE_FIELDS,
    IDENTITY_FIELDS,
    case_shared_data,
    members_with,
    notify,
)

__all__ = [
    "directory_publish",
    "directory_store",
    "receive_offer",
    "receive_response",
    "receive_update",
    "referral_offer",
    "referral_respond",
    "referral_update",
]

Status = CrossBorderStatus
#: Who may move a referral to which status, from which (the two sides differ).
RECEIVER_MOVES = {
    Status.ACCEPTED: {Status.OFFERED},
    Status.DECLINED: {Status.OFFERED},
    Status.IN_PROGRESS: {Status.ACCEPTED},
    Status.COMPLETED: {Status.ACCEPTED, Status.IN_PROGRESS},
}
SENDER_MOVES = {Status.WITHDRAWN: {Status.OFFERED, Status.ACCEPTED, Status.IN_PROGRESS}}


def _event(case, kind: str, organisation_id, actor=None, **detail) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation_id=organisation_id,
        kind=kind,
        detail=detail,
    )


# --- The directory -------------------------------------------------------------------------------


def directory_payload() -> dict:
    """This instance's active services, as the other participants see them (no person)."""
    services = Service.objects.filter(
        is_active=True, organisation__participant__code=settings.VEZA_INSTANCE_PARTICIPANT
    ).select_related("organisation")
    return {
        "participant": settings.VEZA_INSTANCE_PARTICIPANT,
        "published_at": timezone.now().isoformat(),
        "services": [
            {
                "id": s.pk,
                "organisation": s.organisation.name,
                "city": s.organisation.city,
                "service_type": s.service_type,
                "description": s.description[:2000],
                "languages": list(s.languages or [])[:40],
                "area": s.area,
                "emergency": s.emergency,
                "capacity_free": s.capacity_free,
            }
            for s in services
        ],
    }


@transaction.atomic
@transaction.atomic
def directory_publish(*, actor, peers=None) -> int:
    """Send the directory to every trusted national peer (or to those given)."""
    from veza.federation.models import PeerStatus

    peers = peers or Peer.objects.filter(status=PeerStatus.ACTIVE, role="national")
    payload = directory_payload()
    count = 0
    for peer in peers:
        packet_queue(peer=peer, packet_type="directory.publish", payload=payload)
        count += 1
    audit_log(
        "federation.directory_publish",
        actor=actor,
        detail={"peers": count, "services": len(payload["services"])},
    )
    return count


def directory_store(*, peer: Peer, payload: dict) -> None:
    """Replace the peer's services by the ones of its newest directory."""
    published = parse_datetime(str(payload.get("published_at", ""))) or timezone.now()
    latest = peer.services.order_by("-published_at").values_list("published_at", flat=True).first()
    if latest and latest > published:
        return  # an older directory arriving late changes nothing
    keep = []
    for item in payload["services"]:
        if item["service_type"] not in ServiceType.values:
            raise ValidationError(f"unknown service type {item['service_type']}")
        service, _created = RemoteService.objects.update_or_create(
            peer=peer,
            remote_id=int(item["id"]),
            defaults={
                "organisation_name": str(item["organisation"])[:200],
                "city": str(item.get("city") or "")[:120],
                "service_type": item["service_type"],
                "description": str(item.get("description") or "")[:2000],
                "languages": [str(x)[:16] for x in (item.get("languages") or [])][:40],
                "area": str(item.get("area") or "")[:200],
                "emergency": bool(item.get("emergency")),
                "capacity_free": item.get("capacity_free"),
                "published_at": published,
            },
        )
        keep.append(service.pk)
    peer.services.exclude(pk__in=keep).delete()


# --- Sending side --------------------------------------------------------------------------------


def _shared(case: Case, fields: list[str]) -> dict:
    """What the referral shares, as the packet carries it (dates as ISO text)."""
    return {
        name: value.isoformat() if hasattr(value, "isoformat") else value
        for name, value in case_shared_data(case, fields).items()
    }


@transaction.atomic
def referral_offer(
    *,
    actor,
    case: Case,
    remote_service: RemoteService,
    reason: str,
    urgency: str,
    shared_fields: list[str],
    risk_assessment: str = "",
    identity_confirmed: bool = False,
) -> CrossBorderReferral:
    """Offer the referral to the other participant's service. Cross-border consent is needed;
    identity fields only when the worker confirms the person agreed to send them abroad. A
    return needs its risk assessment."""
    if not actor.has_perm("federation.refer_cross_border", case.organisation):
        raise PermissionDeniedError()
    if case.is_closed:
        raise ValidationError(_("This case is closed and can no longer be changed."))
    problems: dict[str, list[str]] = {}
    if remote_service.peer.status != "active":
        problems["service"] = [_("That participant's instance is not trusted at the moment.")]
    if not (reason or "").strip():
        problems["reason"] = [_("Say why you refer the person.")]
    if urgency not in Urgency.values:
        problems["urgency"] = [_("Choose the urgency.")]
    shared = list(dict.fromkeys(shared_fields))
    unknown = [f for f in shared if f not in CASE_FIELDS + IDENTITY_FIELDS]
    if unknown:
        problems["shared_fields"] = [_("These fields cannot be shared: %s") % ", ".join(unknown)]
    if remote_service.service_type == ServiceType.RETURN and not (risk_assessment or "").strip():
        problems["risk_assessment"] = [
            _("A return needs the risk assessment made before it (safety, family, reception).")
        ]
    if problems:
        raise ValidationError(fields=problems)
    consent = (
        Consent.objects.live()
        .filter(case=case, purpose="cross_border")
        .order_by("-recorded_at")
        .first()
    )
    if consent is None:
        raise ValidationError(
            fields={
                "consent": [
                    _(
                        "There is no consent for a referral to another country. Record it first: "
                        "it cannot be overridden for a transnational referral."
                    )
                ]
            }
        )
    if any(f in IDENTITY_FIELDS for f in shared) and not identity_confirmed:
        raise ValidationError(
            fields={
                "identity_confirmed": [
                    _(
                        "Confirm that the person agreed to send these identity fields to the "
                        "other country, or do not share them."
                    )
                ]
            }
        )
    referral = CrossBorderReferral.objects.create(
        reference=uuid.uuid4(),
        direction=CrossBorderReferral.Direction.OUT,
        peer=remote_service.peer,
        case=case,
        organisation=case.organisation,
        remote_service=remote_service,
        counterpart={
            "organisation": remote_service.organisation_name,
            "city": remote_service.city,
            "service_type": remote_service.service_type,
            "participant": remote_service.peer.participant,
        },
        reason=reason.strip(),
        urgency=urgency,
        shared_fields=shared,
        risk_assessment=(risk_assessment or "").strip(),
        consent=consent,
        sent_by=actor,
    )
    packet_queue(
        peer=remote_service.peer,
        packet_type="referral.offer",
        payload={
            "reference": str(referral.reference),
            "service": remote_service.remote_id,
            "from": {
                "organisation": case.organisation.name,
                "participant": case.participant.code,
                "case_code": case.code,
            },
            "reason": referral.reason,
            "urgency": urgency,
            "shared": _shared(case, shared),
            "risk_assessment": referral.risk_assessment,
            "consent": {"purpose": "cross_border", "recorded_at": consent.recorded_at.isoformat()},
        },
    )
    _event(
        case,
        "referral.cross_border_offered",
        case.organisation_id,
        actor,
        participant=remote_service.peer.participant,
        service=remote_service.service_type,
        reference=str(referral.reference),
    )
    audit_log(
        "federation.referral_offer",
        actor=actor,
        obj=referral,
        organisation_id=case.organisation_id,
        detail={
            "case": case.pk,
            "peer": referral.peer.instance,
            "fields": shared,
            "identity_confirmed": bool(identity_confirmed),
        },
    )
    return referral


@transaction.atomic
def referral_update(*, actor, referral: CrossBorderReferral, status: str, reason: str = ""):
    """Move a referral on this side (accept, decline, start, complete; or withdraw as the
    sender) and tell the other side."""
    referral = CrossBorderReferral.objects.select_for_update().get(pk=referral.pk)
    moves = (
        RECEIVER_MOVES if referral.direction == CrossBorderReferral.Direction.IN else SENDER_MOVES
    )
    perm = (
        "referrals.respond_referral"
        if referral.direction == "in"
        else "federation.refer_cross_border"
    )
    if not actor.has_perm(perm, referral.organisation):
        raise PermissionDeniedError()
    if status not in moves or referral.status not in moves[status]:
        raise ValidationError(fields={"status": [_("This step is not possible now.")]})
    if status == Status.DECLINED and not (reason or "").strip():
        raise ValidationError(fields={"reason": [_("Say why the referral is declined.")]})
    referral.status = status
    if status in (Status.ACCEPTED, Status.DECLINED):
        referral.responded_at = timezone.now()
        referral.decline_reason = (reason or "").strip()
    referral.version += 1
    referral.save()
    packet_type = (
        "referral.response" if status in (Status.ACCEPTED, Status.DECLINED) else "referral.update"
    )
    payload = {"reference": str(referral.reference), "status": status}
    if packet_type == "referral.response":
        payload["case_code"] = referral.case.code if status == Status.ACCEPTED else ""
        payload["reason"] = referral.decline_reason
    packet_queue(peer=referral.peer, packet_type=packet_type, payload=payload)
    _event(
        referral.case,
        f"referral.cross_border_{status}",
        referral.organisation_id,
        actor,
        reference=str(referral.reference),
        participant=referral.peer.participant,
    )
    audit_log(
        f"federation.referral_{status}",
        actor=actor,
        obj=referral,
        organisation_id=referral.organisation_id,
        detail={"peer": referral.peer.instance},
    )
    return referral


def referral_respond(*, actor, referral, accept: bool, reason: str = ""):
    return referral_update(
        actor=actor,
        referral=referral,
        status=Status.ACCEPTED if accept else Status.DECLINED,
        reason=reason,
    )


# --- Receiving side (packet handlers, inside the inbox's transaction) ---------------------------


def receive_offer(*, peer: Peer, payload: dict):
    """Open a linked case under this instance's own code for the receiving organisation, keep
    the shared fields sealed with the referral, and tell that organisation."""
    service = Service.objects.select_related("organisation__participant").get(
        pk=int(payload["service"]), is_active=True
    )
    if service.organisation.participant.code != settings.VEZA_INSTANCE_PARTICIPANT:
        raise ValidationError("the service is not one of this participant's")
    shared = dict(payload.get("shared") or {})
    facts = {
        k: shared[k]
        for k in ("sex", "age", "is_child", "citizenship", "exploitation")
        if k in shared and shared[k] not in (None, "")
    }
    organisation = service.organisation
    case = Case.objects.create(
        code=new_case_code(organisation.participant.code, timezone.now().year),
        organisation=organisation,
        participant=Participant.objects.get(code=settings.VEZA_INSTANCE_PARTICIPANT),
        **facts,
    )
    referral = CrossBorderReferral.objects.create(
        reference=uuid.UUID(str(payload["reference"])),
        direction=CrossBorderReferral.Direction.IN,
        peer=peer,
        case=case,
        organisation=organisation,
        service=service,
        counterpart={
            "organisation": str(payload["from"]["organisation"])[:200],
            "participant": peer.participant,
            "case_code": str(payload["from"].get("case_code", ""))[:24],
        },
        reason=str(payload["reason"])[:5000],
        urgency=payload["urgency"] if payload.get("urgency") in Urgency.values else "routine",
        shared_fields=[f for f in shared if f in CASE_FIELDS + IDENTITY_FIELDS],
        shared_data=shared,
        risk_assessment=str(payload.get("risk_assessment") or "")[:10000],
        remote_case_code=str(payload["from"].get("case_code", ""))[:24],
    )
    _event(
        case,
        "referral.cross_border_received",
        organisation.pk,
        participant=peer.participant,
        service=service.service_type,
        reference=str(referral.reference),
    )
    notify(members_with(organisation, "referrals.respond_referral"), "referral.received", case=case)
    audit_log(
        "federation.referral_received",
        actor=f"peer:{peer.instance}",
        obj=referral,
        organisation_id=organisation.pk,
        detail={"case": case.pk, "peer": peer.instance},
    )
    return []


def _ours(peer, payload, direction):
    referral = (
        CrossBorderReferral.objects.select_for_update()
        .filter(peer=peer, reference=uuid.UUID(str(payload["reference"])), direction=direction)
        .first()
    )
    if referral is None:  # a response or update for a referral this instance does not hold
        raise ValidationError("no referral with this reference")
    return referral


def _remote_step(referral: CrossBorderReferral, peer: Peer, status: str, **detail) -> None:
    """Record a step the other side took: the new status, the timeline line, the audit entry."""
    referral.status = status
    referral.version += 1
    referral.save()
    _event(
        referral.case,
        f"referral.cross_border_{status}",
        referral.organisation_id,
        reference=str(referral.reference),
        participant=peer.participant,
        **detail,
    )
    audit_log(
        f"federation.referral_{status}",
        actor=f"peer:{peer.instance}",
        obj=referral,
        organisation_id=referral.organisation_id,
        detail={"peer": peer.instance},
    )


def receive_response(*, peer: Peer, payload: dict):
    referral = _ours(peer, payload, CrossBorderReferral.Direction.OUT)
    status = payload["status"]
    if status not in (Status.ACCEPTED, Status.DECLINED) or referral.status != Status.OFFERED:
        raise ValidationError(f"a response {status} does not fit a referral {referral.status}")
    referral.responded_at = timezone.now()
    referral.remote_case_code = str(payload.get("case_code") or "")[:24]
    referral.decline_reason = str(payload.get("reason") or "")[:5000]
    _remote_step(referral, peer, status, remote_case=referral.remote_case_code)
    kind = "referral.accepted" if status == Status.ACCEPTED else "referral.declined"
    notify(members_with(referral.organisation, "referrals.add_referral"), kind, case=referral.case)
    return []


def receive_update(*, peer: Peer, payload: dict):
    """A status change from the other side: progress from the receiver, withdrawal from the
    sender."""
    status = payload["status"]
    direction = (
        CrossBorderReferral.Direction.IN
        if status == Status.WITHDRAWN
        else CrossBorderReferral.Direction.OUT
    )
    referral = _ours(peer, payload, direction)
    allowed = SENDER_MOVES if direction == CrossBorderReferral.Direction.IN else RECEIVER_MOVES
    if status not in allowed or referral.status not in allowed[status]:
        raise ValidationError(f"an update {status} does not fit a referral {referral.status}")
    _remote_step(referral, peer, status)
    return []
