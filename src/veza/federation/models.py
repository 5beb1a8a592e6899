"""Peers (other Veza instances and the hub), their keys, the packets that crossed, the packets
refused, the peers' service directories and the referrals between participants."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.fields import SealedJSONField, SealedTextField
from veza.core.models import VersionedModel

__all__ = [
    "CrossBorderReferral",
    "Packet",
    "Peer",
    "PeerKey",
    "RejectedPacket",
    "RemoteService",
]


class PeerStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the fingerprint check")
    ACTIVE = "active", _("trusted")
    SUSPENDED = "suspended", _("suspended")


class Peer(models.Model):
    """Another Veza instance (a participant's or the regional hub), known by its peer card."""

    instance = models.CharField(_("instance"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    participant = models.CharField(_("participant"), max_length=4)
    role = models.CharField(
        _("role"),
        max_length=10,
        choices=[("national", _("national instance")), ("hub", _("regional hub"))],
    )
    base_url = models.URLField(_("address"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=PeerStatus.choices, default=PeerStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["participant", "instance"]
        verbose_name = _("peer")
        verbose_name_plural = _("peers")
        permissions = [("manage_peers", "Can add, confirm and suspend federation peers")]

    def __str__(self) -> str:
        return f"{self.name} ({self.instance})"

    @property
    def key(self) -> PeerKey | None:
        """The key in use: the latest confirmed one that is not retired."""
        return (
            self.keys.filter(confirmed_at__isnull=False, retired_at__isnull=True)
            .order_by("-confirmed_at")
            .first()
        )


class PeerKey(models.Model):
    """A peer's public keys. A rotation adds a key; the old one is retired, never deleted."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="keys")
    signing_key = models.CharField(max_length=64)  # base64, Ed25519 public key
    encryption_key = models.CharField(max_length=64)  # base64, X25519 public key
    fingerprint = models.CharField(_("fingerprint"), max_length=48)
    card_created = models.CharField(max_length=40, blank=True)
    #: The name and address the card gave: the peer's take them only once the key is confirmed.
    name = models.CharField(max_length=200, blank=True)
    base_url = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at"]

    def __str__(self) -> str:
        return self.fingerprint


class Packet(models.Model):
    """A packet sent (the outbox) or received and processed (the inbox). The body is the sealed
    packet as it travels: encrypted to the recipient, so it holds nothing readable."""

    class Direction(models.TextChoices):
        OUT = "out", _("sent")
        IN = "in", _("received")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be delivered")
        DELIVERED = "delivered", _("delivered")
        EXPIRED = "expired", _("expired before delivery")
        PROCESSED = "processed", _("received and processed")

    direction = models.CharField(max_length=3, choices=Direction.choices)
    packet_id = models.CharField(max_length=36)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="packets")
    packet_type = models.CharField(_("type"), max_length=24)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    transport = models.CharField(max_length=8, default="https")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("packet")
        verbose_name_plural = _("packets")
        constraints = [
            models.UniqueConstraint(fields=["direction", "packet_id"], name="packet_once")
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.packet_type} {self.packet_id}"


class RejectedPacket(models.Model):
    """A packet refused at the inbox, and why (logged, never processed)."""

    received_at = models.DateTimeField(auto_now_add=True)
    sender = models.CharField(max_length=60, blank=True)
    packet_id = models.CharField(max_length=36, blank=True)
    packet_type = models.CharField(max_length=24, blank=True)
    reason = models.CharField(max_length=20)
    detail = models.CharField(max_length=200, blank=True)
    transport = models.CharField(max_length=8, default="https")
    remote_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.reason} {self.packet_id}"


class RemoteService(models.Model):
    """A service of another participant, from its published directory (no personal data)."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="services")
    remote_id = models.PositiveIntegerField()
    organisation_name = models.CharField(_("organisation"), max_length=200)
    city = models.CharField(_("place"), max_length=120, blank=True)
    service_type = models.CharField(_("service"), max_length=24)
    description = models.TextField(_("description"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    area = models.CharField(_("area served"), max_length=200, blank=True)
    emergency = models.BooleanField(default=False)
    capacity_free = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["peer__participant", "organisation_name", "service_type"]
        constraints = [
            models.UniqueConstraint(fields=["peer", "remote_id"], name="remote_service_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.peer.participant}) — {self.service_type}"


class CrossBorderStatus(models.TextChoices):
    OFFERED = "offered", _("offered, waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    IN_PROGRESS = "in_progress", _("in progress")
    COMPLETED = "completed", _("completed")
    WITHDRAWN = "withdrawn", _("withdrawn")


class CrossBorderReferral(VersionedModel):
    """A referral between participants. Each instance holds its own side: the sending side
    points to its case and the remote service; the receiving side to the linked case it opened
    (its own pseudonymous code) and its local service. `reference` is the same on both sides."""

    class Direction(models.TextChoices):
        OUT = "out", _("sent to another participant")
        IN = "in", _("received from another participant")

    reference = models.UUIDField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="cross_border_referrals"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The sending organisation (out) or the receiving one (in)."),
    )
    remote_service = models.ForeignKey(
        RemoteService, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.ForeignKey(
        "referrals.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: What the other side needs to show: organisation, service type, place (no person).
    counterpart = models.JSONField(default=dict)
    reason = SealedTextField(_("reason"))
    urgency = models.CharField(_("urgency"), max_length=10)
    shared_fields = models.JSONField(_("shared fields"), default=list)
    #: The shared case facts and identity fields (received side), sealed at rest.
    shared_data = SealedJSONField(default=dict, blank=True)
    #: For a return: the risk assessment made before it (sealed).
    risk_assessment = SealedTextField(_("risk assessment"), blank=True)
    consent = models.ForeignKey(
        "cases.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CrossBorderStatus.choices,
        default=CrossBorderStatus.OFFERED,
    )
    remote_case_code = models.CharField(_("case code over there"), max_length=24, blank=True)
    decline_reason = SealedTextField(_("reason for declining"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral to or from another participant")
        verbose_name_plural = _("referrals between participants")
        constraints = [
            models.UniqueConstraint(fields=["reference", "direction"], name="cross_border_once")
        ]
        permissions = [("refer_cross_border", "Can refer a case to another participant")]

    def __str__(self) -> str:
        return f"{self.direction} {self.reference} ({self.status})"
