"""Administration of screening content: edit a proposed set's indicators; read everything else."""

from django.contrib import admin, messages
from django.db import transaction

from veza.core.admin import AuditedAdminMixin
from veza.core.errors import ValidationError
from veza.indicators.choices import ContentStatus
from veza.indicators.models import Adoption, DecisionRule, Indicator, IndicatorSet, Questionnaire
from veza.indicators.services import set_rebuild_from_rows


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ("order", "code", "dimension", "strength", "provenance", "text")

    def _editable(self, obj):
        return obj is not None and obj.status == ContentStatus.PROPOSED

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(IndicatorSet)
class IndicatorSetAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Published versions are read-only; a proposed version's indicators can be edited here."""

    list_display = ("code", "version", "status", "provenance", "kind", "builtin")
    list_filter = ("status", "provenance", "kind")
    inlines = [IndicatorInline]
    fields = (
        "code",
        "version",
        "title",
        "status",
        "provenance",
        "kind",
        "age_groups",
        "exploitation",
        "source_file",
        "checksum",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # new versions come from an import or "make a new version"

    def has_delete_permission(self, request, obj=None):
        return False

    def save_related(self, request, form, formsets, change):
        # The inline rows and the set's content must agree: rebuild and re-validate, or undo.
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            if form.instance.status == ContentStatus.PROPOSED:
                try:
                    set_rebuild_from_rows(actor=request.user, indicator_set=form.instance)
                except ValidationError as exc:
                    transaction.set_rollback(True)
                    for problem in exc.fields.get("indicators", [str(exc.message)]):
                        messages.error(request, problem)


class ReadOnlyContentAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "status", "builtin")
    list_filter = ("status",)
    exclude = ("content",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(DecisionRule, ReadOnlyContentAdmin)
admin.site.register(Questionnaire, ReadOnlyContentAdmin)


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ("participant", "item", "adopted_at", "adopted_by", "note")
    list_filter = ("participant",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Adoption._meta.fields]

    def has_add_permission(self, request):
        return False  # adopt on the Indicators pages, which check and audit

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
