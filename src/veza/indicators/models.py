"""Versioned content: indicator sets, decision rules, questionnaires, and their adoption.

Each item is stored as the data it was published with (`content`, plus a checksum). Published
versions never change: an edit makes a new proposed version. What a participant uses is its latest
adoption of each code, or else the newest built-in published version.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from veza.indicators import engine, questionnaire
from veza.indicators.choices import ContentStatus, Dimension, Provenance, Strength

__all__ = ["Adoption", "DecisionRule", "Indicator", "IndicatorSet", "Questionnaire", "checksum"]


def checksum(content) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()


class ContentQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Content is reference material, not personal data: anyone with a role may read it.
        if user is None or not user.is_authenticated or not user.get_all_permissions():
            return self.none()
        return self

    def published(self):
        return self.filter(status=ContentStatus.PUBLISHED)


class VersionedContent(models.Model):
    code = models.SlugField(_("code"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=ContentStatus.choices, default=ContentStatus.PROPOSED
    )
    content = models.JSONField(_("content"))
    checksum = models.CharField(max_length=64, editable=False)
    builtin = models.BooleanField(_("shipped with Veza"), default=False, editable=False)
    source_file = models.CharField(_("imported from"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ContentQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code", "-version"]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class IndicatorSet(VersionedContent):
    kind = models.CharField(_("kind"), max_length=16, default="primary")
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.DRAFT
    )
    age_groups = models.JSONField(_("age groups"), default=list)
    exploitation = models.JSONField(_("forms of exploitation"), default=list)

    class Meta(VersionedContent.Meta):
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="indicatorset_code_version")
        ]
        permissions = [("adopt_content", _("Can publish and adopt screening content"))]

    @cached_property
    def parsed(self) -> engine.IndicatorSet:
        return engine.parse_set(self.content)

    @property
    def has_draft(self) -> bool:
        return bool(self.parsed.draft_indicator_ids)


class Indicator(models.Model):
    """One indicator of a set, mirrored from the set's content for listing and editing."""

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("id"), max_length=80)
    dimension = models.CharField(_("dimension"), max_length=40, choices=Dimension.choices)
    strength = models.CharField(_("strength"), max_length=8, choices=Strength.choices)
    text = models.TextField(_("text"))
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.VERIFIED
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["indicator_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_unique_code")
        ]

    def __str__(self) -> str:
        return self.code


class DecisionRule(VersionedContent):
    class Meta(VersionedContent.Meta):
        verbose_name = _("decision rule")
        verbose_name_plural = _("decision rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="rule_code_version")
        ]

    @cached_property
    def parsed(self) -> engine.Rule:
        return engine.parse_rule(self.content)


class Questionnaire(VersionedContent):
    sector = models.CharField(_("sector"), max_length=40, blank=True)
    mode = models.CharField(_("mode"), max_length=8, default="full")

    class Meta(VersionedContent.Meta):
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version")
        ]

    def parse(self, *, known_indicators, urgent_flags) -> questionnaire.Questionnaire:
        return questionnaire.parse_questionnaire(
            self.content, known_indicators=known_indicators, urgent_flags=urgent_flags
        )


class Adoption(models.Model):
    """A participant's decision to use one version of a set, rule or questionnaire."""

    participant = models.ForeignKey(
        "organisations.Participant", on_delete=models.PROTECT, related_name="adoptions"
    )
    indicator_set = models.ForeignKey(IndicatorSet, null=True, blank=True, on_delete=models.PROTECT)
    rule = models.ForeignKey(DecisionRule, null=True, blank=True, on_delete=models.PROTECT)
    questionnaire = models.ForeignKey(
        Questionnaire, null=True, blank=True, on_delete=models.PROTECT
    )
    adopted_at = models.DateTimeField(auto_now_add=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["-adopted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(indicator_set__isnull=False, rule__isnull=True, questionnaire__isnull=True)
                    | Q(indicator_set__isnull=True, rule__isnull=False, questionnaire__isnull=True)
                    | Q(indicator_set__isnull=True, rule__isnull=True, questionnaire__isnull=False)
                ),
                name="adoption_exactly_one_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant.code}: {self.item}"

    @property
    def item(self):
        return self.indicator_set or self.rule or self.questionnaire
