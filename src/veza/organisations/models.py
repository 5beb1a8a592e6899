"""Participants, organisations, roles and memberships: who works where, and may do what."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veza.core.scoping import VisibleManager, VisibleQuerySet
from veza.organisations.choices import OrganisationType, ParticipantKind, Sector

__all__ = [
    "EmergencyArea",
    "Membership",
    "Organisation",
    "Participant",
    "Role",
    "emergency_areas_of",
    "emergency_for",
    "emergency_for_any",
]


class Participant(models.Model):
    """A participant of the regional initiative (AL, BA, XK, ME, MK, RS) or the regional centre."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ParticipantKind.choices, default=ParticipantKind.NATIONAL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    reflection_days = models.PositiveSmallIntegerField(
        _("recovery and reflection period (days)"),
        default=30,
        help_text=_("At least 30 days (Council of Europe Convention, art. 13)."),
    )

    objects = VisibleManager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @staticmethod
    def visibility(queryset, user):
        # The list of participants is public knowledge; any person with a role may read it.
        from veza.organisations.scope import user_scope

        return queryset if user_scope(user).has_any_role else queryset.none()


class Organisation(models.Model):
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("participant"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector.choices)
    type = models.CharField(_("type"), max_length=20, choices=OrganisationType.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisibleManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["participant__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "name"], name="organisation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def visibility(queryset, user):
        """Organisations of the participants where the user works; every one for the region."""
        from veza.organisations.scope import user_scope

        scope = user_scope(user)
        if scope.sees_all_participants:
            return queryset
        return queryset.filter(participant_id__in=scope.participant_ids)


class Role(models.Model):
    """A named set of permissions. Built-in roles are defined in `data/roles.yaml`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    permissions = models.ManyToManyField(
        Permission, blank=True, related_name="veza_roles", verbose_name=_("permissions")
    )
    builtin = models.BooleanField(_("built in"), default=False, editable=False)
    #: Sees every participant's organisations (aggregate-only roles and administrators).
    regional = models.BooleanField(_("regional scope"), default=False)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self):
        """The translated name of a built-in role; a local role's own name."""
        from veza.organisations.choices import RoleCode

        if self.builtin and self.code in RoleCode.values:
            return RoleCode(self.code).label
        return self.name


class MembershipQuerySet(models.QuerySet):
    def live(self):
        return self.filter(is_active=True, user__is_active=True, organisation__is_active=True)

    def visible_to(self, user):
        from veza.organisations.scope import user_scope

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user_scope(user)
        mine = Q(user_id=user.pk)
        if user.has_perm("organisations.view_membership"):
            if scope.sees_all_participants:
                return self
            return self.filter(mine | Q(organisation__participant_id__in=scope.participant_ids))
        return self.filter(mine)


class Membership(models.Model):
    """A user's role in one organisation. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("role")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} — {self.organisation}"


MANAGE_EMERGENCY = "organisations.manage_emergency"


class EmergencyAreaQuerySet(VisibleQuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class EmergencyArea(models.Model):
    """A group of a participant's organisations switched into emergency mode (a mass arrival).

    It is a state of those organisations, kept here so that every app above may read it: the
    quick screen becomes the default and the worklist puts urgent flags first. `ended_at` empty
    means the area is in emergency mode now."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="emergency_areas",
        verbose_name=_("participant"),
    )
    name = models.CharField(
        _("name of the area"),
        max_length=120,
        help_text=_("Where people arrive, e.g. Southern border and Preševo reception centre."),
    )
    organisations = models.ManyToManyField(
        Organisation, related_name="emergency_areas", verbose_name=_("organisations")
    )
    note = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("A short reason, e.g. about 400 people arrived overnight. Never a name."),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    objects = EmergencyAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("emergency area")
        verbose_name_plural = _("emergency areas")
        ordering = ["-started_at", "-id"]
        permissions = [("manage_emergency", _("Can switch an area into emergency mode"))]
        indexes = [models.Index(fields=["participant", "ended_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @staticmethod
    def visibility(queryset, user):
        """Areas of the participants where the user may switch emergency mode; no one else's
        (the regional role included)."""
        from veza.organisations.scope import user_scope

        return queryset.filter(
            participant_id__in=user_scope(user).participants_with(MANAGE_EMERGENCY)
        )


def emergency_for_any(organisation_ids) -> EmergencyArea | None:
    """The active emergency area that includes one of these organisations (the one that started
    first), or None. One query."""
    ids = [pk for pk in organisation_ids if pk is not None]
    if not ids:
        return None
    return (
        EmergencyArea.objects.active()
        .filter(organisations__in=ids)
        .order_by("started_at", "id")
        .first()
    )


def emergency_areas_of(organisation_ids) -> dict[int, tuple[str, str]]:
    """For those of these organisations in an active emergency area: organisation id ->
    (organisation name, area name). One query."""
    links = EmergencyArea.organisations.through.objects.filter(
        organisation_id__in=list(organisation_ids), emergencyarea__ended_at__isnull=True
    )
    return {
        pk: (organisation, area)
        for pk, organisation, area in links.values_list(
            "organisation_id", "organisation__name", "emergencyarea__name"
        )
    }


def emergency_for(organisation) -> EmergencyArea | None:
    """The active emergency area that includes this organisation, or None. One query."""
    return emergency_for_any([getattr(organisation, "pk", organisation)])
