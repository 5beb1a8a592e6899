"""Administration of accounts, API tokens and (read-only) the audit log."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.core.audit import audit_log
from veza.core.models import ApiToken, AuditEntry, User

__all__ = ["AuditedAdminMixin"]


class AuditedAdminMixin:
    """Every change made in the administration site is audited in the same transaction."""

    audit_fields: tuple[str, ...] = ()

    def _organisation_id(self, obj):
        return getattr(obj, "organisation_id", None)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = f"{obj._meta.model_name}.{'update' if change else 'create'}"
        audit_log(
            action,
            actor=request.user,
            obj=obj,
            organisation_id=self._organisation_id(obj),
            detail={"fields": sorted(form.changed_data), "via": "admin"},
        )

    def delete_model(self, request, obj):
        audit_log(
            f"{obj._meta.model_name}.delete",
            actor=request.user,
            obj=obj,
            organisation_id=self._organisation_id(obj),
            detail={"via": "admin"},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


# Veza grants permissions through roles and memberships, never through Django's groups.
admin.site.unregister(Group)
# Authenticators: an administrator removes a lost one (the person sets up a new one at their next
# login); the change is audited like every other.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # The secret key is never shown: only who has an authenticator, and since when.
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username",)
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "is_active", "last_login")
    list_filter = ("is_active",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_actions(self, request):
        return {}

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted, so that the audit log keeps its meaning.
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "lane", "sequence", "actor", "action", "object_type", "object_id", "ip")
    list_filter = ("action",)
    search_fields = ("action", "object_id", "actor")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "label", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "prefix", "label", "created_at", "last_used_at")
    fields = ("user", "prefix", "label", "created_at", "last_used_at", "expires_at", "revoked_at")

    def has_add_permission(self, request):
        # Tokens are issued on the command line (`veza token create`), which shows them once.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_log(
            "api_token.update", actor=request.user, obj=obj, detail={"fields": form.changed_data}
        )
