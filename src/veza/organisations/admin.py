from django.contrib import admin

from veza.core.admin import AuditedAdminMixin
from veza.organisations.models import Membership, Organisation, Participant, Role


@admin.register(Participant)
class ParticipantAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "participant", "sector", "type", "city", "is_active")
    list_filter = ("participant", "sector", "type", "is_active")
    search_fields = ("name", "short_name", "city")

    def _organisation_id(self, obj):
        return obj.pk


@admin.register(Role)
class RoleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "builtin", "regional")
    filter_horizontal = ("permissions",)
    readonly_fields = ("builtin",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.builtin:
            # Built-in roles follow data/roles.yaml; local roles are edited here.
            return ("code", "name", "description", "permissions", "builtin", "regional")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.builtin


@admin.register(Membership)
class MembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "organisation", "role", "is_active")
    list_filter = ("role", "organisation__participant", "is_active")
    search_fields = ("user__username", "organisation__name")
    autocomplete_fields = ("user", "organisation")
