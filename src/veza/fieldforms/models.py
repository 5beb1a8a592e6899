"""A file of offline submissions imported into screenings: what, by whom, and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["SubmissionImport"]


class SubmissionImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Imports of the organisations where the user may see screenings."""
        from veza.organisations.scope import user_scope

        where = user_scope(user).records_filter(
            "screening.view_screening",
            "screening.view_participant_screenings",
            org_field="organisation_id",
            participant_field="organisation__participant_id",
        )
        return self.none() if where is None else self.filter(where)


class SubmissionImport(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    tool = models.CharField(_("recorded with"), max_length=20)
    format = models.CharField(_("format"), max_length=8)
    #: The file's SHA-256: the same file imported twice is recognised (its name is not kept:
    #: a name may say more than it should).
    sha256 = models.CharField(max_length=64)
    submissions = models.PositiveIntegerField(_("submissions in the file"), default=0)
    created = models.PositiveIntegerField(_("screenings created"), default=0)
    duplicates = models.PositiveIntegerField(_("already imported"), default=0)
    screenings = models.ManyToManyField("screening.Screening", blank=True, related_name="+")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    objects = SubmissionImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission import")
        verbose_name_plural = _("submission imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_tool_display()} {self.imported_at:%Y-%m-%d}"

    def get_tool_display(self) -> str:
        from veza.screening.choices import ORIGIN_TOOLS

        return str(ORIGIN_TOOLS.get(self.tool, self.tool))
