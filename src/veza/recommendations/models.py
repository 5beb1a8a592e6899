"""Recommendations to a participant and the action plans that answer them.

A `Source` is a published document (a GRETA evaluation report, a US TIP report, concluding
observations of a UN treaty body); a `Recommendation` is one recommendation of a source to one
participant, possibly repeating an earlier one (`RecommendationLink`). A `Strategy` (a national
strategy or action plan) has `Objective`s by 4P theme and `Measure`s, each linked to the
recommendations it answers; `ProgressReport`s are kept for ever, the latest is the current one.

Nothing here is personal data: recommendations and plans are policy documents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.models import VersionedModel
from veza.recommendations.choices import (
    BODY_SHORT,
    Body,
    LinkKind,
    Priority,
    ProgressStatus,
    Theme,
    Wording,
)

__all__ = [
    "Measure",
    "Objective",
    "ProgressReport",
    "Recommendation",
    "RecommendationLink",
    "Source",
    "Strategy",
]


class Source(VersionedModel):
    """A published document that carries recommendations (shared by every participant: the
    documents are public)."""

    body = models.CharField(_("body"), max_length=10, choices=Body.choices)
    title = models.CharField(_("title"), max_length=300)
    round_or_year = models.CharField(
        _("round or year"),
        max_length=40,
        help_text=_("The evaluation round (e.g. third round) or the report's year."),
    )
    published = models.DateField(_("published on"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["body", "-round_or_year", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "title", "round_or_year"], name="recommendation_source_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.round_or_year})"


class Recommendation(VersionedModel):
    participant = models.ForeignKey(
        "organisations.Participant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="recommendations", verbose_name=_("source")
    )
    reference = models.CharField(
        _("reference"),
        max_length=40,
        help_text=_("The number or paragraph of the recommendation in its source."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("text"))
    wording = models.CharField(
        _("wording"), max_length=10, choices=Wording.choices, default=Wording.OWN_WORDS
    )
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    priority = models.CharField(
        _("priority"), max_length=12, choices=Priority.choices, default=Priority.OTHER
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["participant__code", "-year", "source__body", "reference"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        permissions = [
            ("import_recommendations", _("Can import recommendations from a file")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "source", "reference"], name="recommendation_unique_ref"
            )
        ]
        indexes = [models.Index(fields=["participant", "theme"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How a practitioner cites it: body, year, reference (e.g. "GRETA 2023 · 45")."""
        short = BODY_SHORT.get(self.source.body) or self.source.title[:30]
        return f"{short} {self.year} · {self.reference}"

    @property
    def key(self) -> str:
        """The key an import file uses to name it (`body:year:reference`)."""
        return f"{self.source.body}:{self.year}:{self.reference}"


class RecommendationLink(models.Model):
    """A recommendation that repeats (or relates to) an earlier one, of the same participant."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="links_out"
    )
    earlier = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(
        _("link"), max_length=8, choices=LinkKind.choices, default=LinkKind.REPEATS
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("link between recommendations")
        verbose_name_plural = _("links between recommendations")
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "earlier"], name="recommendation_link_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(recommendation=models.F("earlier")),
                name="recommendation_link_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.kind} {self.earlier_id}"


class Strategy(VersionedModel):
    """A national strategy or action plan of one participant, for a period of years."""

    participant = models.ForeignKey(
        "organisations.Participant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    title = models.CharField(_("title"), max_length=300)
    period_start = models.PositiveSmallIntegerField(_("from (year)"))
    period_end = models.PositiveSmallIntegerField(_("until (year)"))
    context = models.TextField(
        _("context"),
        blank=True,
        help_text=_("The situation the plan answers: trends, gaps, the recommendations received."),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["participant__code", "-period_start", "title"]
        verbose_name = _("strategy or action plan")
        verbose_name_plural = _("strategies and action plans")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="strategy_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_start}-{self.period_end})"


class Objective(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="objectives")
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices)
    text = models.CharField(_("objective"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["strategy", "order", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.text


class Measure(VersionedModel):
    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="measures", verbose_name=_("objective")
    )
    title = models.CharField(_("measure"), max_length=300)
    responsible = models.CharField(_("responsible institution"), max_length=200)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    output_indicator = models.CharField(_("output indicator"), max_length=300, blank=True)
    outcome_indicator = models.CharField(_("outcome indicator"), max_length=300, blank=True)
    baseline = models.CharField(_("baseline"), max_length=100, blank=True)
    target = models.CharField(_("target"), max_length=100, blank=True)
    recommendations = models.ManyToManyField(
        Recommendation,
        related_name="measures",
        blank=True,
        verbose_name=_("recommendations answered"),
    )
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["objective__strategy", "objective__order", "objective", "pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """What was done for a measure in a period. Reports are never changed: the history is the
    list of reports, and the latest (by period end, then by when written) is the current
    status."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=40, help_text=_("For example 2026 H1."))
    period_end = models.DateField(_("period ends on"))
    status = models.CharField(_("status"), max_length=12, choices=ProgressStatus.choices)
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What shows the progress: acts, reports, figures.")
    )
    indicator_value = models.CharField(_("indicator value"), max_length=100, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "-created_at", "-pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        indexes = [models.Index(fields=["measure", "period_end"])]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.period} {self.status}"
