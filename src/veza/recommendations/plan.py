"""The draft action plan: one plain structure built from the database, rendered twice (DOCX
with python-docx, PDF with WeasyPrint, see `plan_render.py`) so that both files say the same.

The structure follows what practitioners' guides to national action plans recommend: the
context, the objectives, the measures (by 4P, each with who is responsible, partners, deadline,
budget, indicators with baseline and target, and the recommendations it answers), the
recommendations no measure answers yet, monitoring and evaluation, and the budget. Labels are
translated in the language active when it is built; no personal data is involved.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from veza.recommendations.choices import ProgressStatus, Theme
from veza.recommendations.coverage import answered_ids, chains, latest_reports
from veza.recommendations.models import Measure, Recommendation, Strategy

__all__ = ["MeasureRow", "OpenRow", "Plan", "ThemeSection", "money", "plan_data"]


def money(amounts: dict[str, Decimal]) -> str:
    """Amounts per currency, in the active language's number format ("—" when none)."""
    if not amounts:
        return "—"
    return "; ".join(
        f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} {currency}"
        for currency, amount in sorted(amounts.items())
    )


@dataclass
class MeasureRow:
    pk: int
    title: str
    responsible: str
    partners: str
    deadline: str
    budget: str
    funding_source: str
    output_indicator: str
    outcome_indicator: str
    baseline: str
    target: str
    recommendations: list[str]
    status: str
    period: str
    indicator_value: str
    overdue: bool

    @property
    def budget_funding(self) -> str:
        """The budget with its funding source in brackets (when one is named)."""
        if self.funding_source == "—":
            return self.budget
        return f"{self.budget} ({self.funding_source})"


@dataclass
class OpenRow:
    label: str
    source: str
    priority: str
    text: str
    repeated: bool


@dataclass
class ThemeSection:
    theme: str
    label: str
    objectives: list[str] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)
    open_recommendations: list[OpenRow] = field(default_factory=list)
    budget: str = "—"


@dataclass
class Plan:
    title: str
    participant: str
    period: str
    generated: str
    demo: bool
    context: list[str]
    summary: dict[str, int]
    themes: list[ThemeSection]
    periods: list[str]
    budget_by_funding: list[tuple[str, str]]
    budget_total: str
    unbudgeted: int

    @property
    def measures(self) -> list[MeasureRow]:
        return [m for section in self.themes for m in section.measures]


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else "—"


def plan_data(strategy: Strategy, *, today: datetime.date | None = None) -> Plan:
    """Everything the draft plan shows, read once."""
    today = today or timezone.localdate()
    participant = strategy.participant
    measures = list(
        Measure.objects.filter(objective__strategy=strategy)
        .select_related("objective")
        .prefetch_related("recommendations__source")
        .order_by("objective__order", "objective_id", "pk")
    )
    latest = latest_reports([m.pk for m in measures])
    answered = answered_ids([participant.pk])
    repeated = {
        r.pk
        for chain in chains([participant.pk], answered=answered)
        if chain.repeated
        for r in chain.recommendations
    }
    sections = {theme: ThemeSection(theme, str(label)) for theme, label in Theme.choices}
    for objective in strategy.objectives.all():
        sections[objective.theme].objectives.append(objective.text)
    by_theme: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_funding: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    total: dict[str, Decimal] = defaultdict(Decimal)
    unbudgeted = 0
    periods = set()
    demo = strategy.is_demo
    for m in measures:
        report = latest.get(m.pk)
        status = report.status if report else ""
        if report:
            periods.add(report.period)
        if m.budget is not None:
            by_theme[m.objective.theme][m.currency] += m.budget
            by_funding[m.funding_source or _("not stated")][m.currency] += m.budget
            total[m.currency] += m.budget
        else:
            unbudgeted += 1
        demo = demo or m.is_demo
        sections[m.objective.theme].measures.append(
            MeasureRow(
                pk=m.pk,
                title=m.title,
                responsible=m.responsible,
                partners=m.partners or "—",
                deadline=_date(m.deadline),
                budget=money({m.currency: m.budget}) if m.budget is not None else "—",
                funding_source=m.funding_source or "—",
                output_indicator=m.output_indicator or "—",
                outcome_indicator=m.outcome_indicator or "—",
                baseline=m.baseline or "—",
                target=m.target or "—",
                recommendations=sorted(r.label for r in m.recommendations.all()),
                status=str(ProgressStatus(status).label) if status else _("no report yet"),
                period=report.period if report else "—",
                indicator_value=(report.indicator_value if report else "") or "—",
                overdue=bool(
                    m.deadline and m.deadline < today and status not in ("done", "cancelled")
                ),
            )
        )
    recommendations = list(
        Recommendation.objects.filter(participant=participant)
        .select_related("source")
        .order_by("-year", "source__body", "reference")
    )
    open_count = 0
    for r in recommendations:
        if r.pk in answered:
            continue
        open_count += 1
        demo = demo or r.is_demo
        sections[r.theme].open_recommendations.append(
            OpenRow(
                label=r.label,
                source=str(r.source),
                priority=str(r.get_priority_display()),
                text=r.text,
                repeated=r.pk in repeated,
            )
        )
    for theme, section in sections.items():
        section.budget = money(dict(by_theme[theme]))
    return Plan(
        title=strategy.title,
        participant=participant.name,
        period=f"{strategy.period_start}\u2013{strategy.period_end}",
        generated=today.isoformat(),
        demo=demo,
        context=[p.strip() for p in strategy.context.split("\n\n") if p.strip()],
        summary={
            "recommendations": len(recommendations),
            "open": open_count,
            "repeated_open": sum(
                1 for r in recommendations if r.pk in repeated and r.pk not in answered
            ),
            "measures": len(measures),
            "overdue": sum(1 for s in sections.values() for m in s.measures if m.overdue),
        },
        themes=list(sections.values()),
        periods=sorted(periods),
        budget_by_funding=sorted((name, money(dict(a))) for name, a in by_funding.items()),
        budget_total=money(dict(total)),
        unbudgeted=unbudgeted,
    )
