"""Core models: the user, the audit log and its chain head, API tokens, login throttles and the
leases of the running task workers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.errors import AppendOnlyError

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "LoginThrottle",
    "User",
    "VersionedModel",
    "WorkerLease",
]


class VersionedModel(models.Model):
    """A record edited by people: the version column detects concurrent edits (HTTP 409)."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in to Veza. What they may do comes from their memberships."""

    language = models.CharField(
        _("preferred language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Pages and notifications are shown in this language."),
    )
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("access_admin", _("Can use the administration site")),
            ("issue_api_token", _("Can issue API tokens")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    # Permissions come only from memberships: no blanket pass for superusers, so that every
    # account, administrators included, acts inside a role that can be reviewed and revoked.
    def has_perm(self, perm, obj=None):
        if not self.is_active:
            return False
        from django.contrib.auth.models import _user_has_perm

        return _user_has_perm(self, perm, obj)

    def has_perms(self, perm_list, obj=None):
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label):
        if not self.is_active:
            return False
        from django.contrib.auth.models import _user_has_module_perms

        return _user_has_module_perms(self, app_label)


class AuditHead(models.Model):
    """The newest link of one lane of the audit chain; locked by the writer appending to it, so
    the lane stays linear. The id is the lane's number (`veza.core.audit` says why lanes)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    sequence = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64, default="0" * 64)
    updated_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("audit chain head")
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.sequence} {self.digest[:12]}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("The audit log cannot be changed."))

    def delete(self):
        raise AppendOnlyError(_("The audit log cannot be changed."))

    _raw_delete = delete


class AuditEntry(models.Model):
    """One line of the audit log: who did what, to what, when (UTC) and from where.

    Entries hold references (ids, codes), never a person's identifying details. Each entry's
    digest covers the previous entry's digest in its lane: any change, removal or reordering
    breaks the chain.
    """

    lane = models.PositiveSmallIntegerField(_("lane"), default=1, editable=False)
    sequence = models.PositiveBigIntegerField(_("sequence"), editable=False)
    at = models.DateTimeField(_("time (UTC)"), editable=False)
    actor_id = models.BigIntegerField(_("actor id"), null=True, editable=False)
    actor = models.CharField(_("actor"), max_length=150, blank=True, editable=False)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, editable=False)
    action = models.CharField(_("action"), max_length=80, db_index=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=80, blank=True, editable=False)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, editable=False)
    ip = models.GenericIPAddressField(_("address"), null=True, editable=False)
    detail = models.JSONField(_("detail"), default=dict, editable=False)
    prev_digest = models.CharField(max_length=64, editable=False)
    digest = models.CharField(max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["id"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["lane", "sequence"], name="core_audit_lane_sequence")
        ]

    def __str__(self) -> str:
        return f"lane {self.lane} #{self.sequence} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("The audit log cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("The audit log cannot be changed."))


class ApiToken(models.Model):
    """An API token. Only a keyed digest of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginThrottle(models.Model):
    """Failed logins per account or per address, with the time until which new tries wait."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return self.key


class WorkerLease(models.Model):
    """A running `veza worker`, renewed every few seconds. A task left running by a worker whose
    lease has lapsed (killed, crashed, machine lost) is queued again (see veza.core.worker)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"
