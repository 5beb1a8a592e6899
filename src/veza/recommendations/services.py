"""Writes of recommendations and action plans. Each service checks that the actor may act for
the participant, validates, writes and audits in one transaction. The operator on the command
line (an actor named by a string, see `core.context.cli_actor`) and the demo loader act for any
participant."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.core.scoping import require_perm_or_operator
from veza.core.versioning import save_versioned
from veza.recommendations.choices import Body, LinkKind, Priority, ProgressStatus, Theme, Wording
from veza.recommendations.models import (
    Measure,
    Objective,
    ProgressReport,
    Recommendation,
    RecommendationLink,
    Source,
    Strategy,
)
from veza.recommendations.topics import topic_codes

__all__ = [
    "MEASURE_FIELDS",
    "measure_save",
    "objective_save",
    "plan_exported",
    "progress_report_add",
    "recommendation_create",
    "recommendation_link",
    "recommendation_unlink",
    "recommendation_update",
    "require_for",
    "source_save",
    "strategy_save",
]

#: Years a recommendation or plan may name.
FIRST_YEAR = 1990


def require_for(actor, perm: str, participant_id: int) -> None:
    """Refuse unless the actor holds `perm` in that (national) participant."""
    if isinstance(actor, str):
        return
    from veza.recommendations.selectors import national_participants

    if participant_id not in national_participants(actor, perm):
        raise PermissionDeniedError()


def _text(values: dict, name: str, limit: int, problems: dict, *, required=True) -> str:
    value = str(values.get(name) or "").strip()
    if required and not value:
        problems.setdefault(name, []).append(_("This field is required."))
    elif len(value) > limit:
        problems.setdefault(name, []).append(_("At most %(limit)s characters.") % {"limit": limit})
    return value


def _year(value, name: str, problems: dict) -> int | None:
    latest = timezone.localdate().year + 1
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_YEAR <= year <= latest + 10:
        problems.setdefault(name, []).append(
            _("A year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": latest + 10}
        )
        return None
    return year


def _actor_user(actor):
    return None if isinstance(actor, str) else actor


# --- Sources ------------------------------------------------------------------------------


@transaction.atomic
def source_save(*, actor, source: Source | None = None, expected_version=None, **values) -> Source:
    """Add a source (a published document), or correct one."""
    require_perm_or_operator(
        actor, "recommendations.add_source" if source is None else "recommendations.change_source"
    )
    problems: dict[str, list] = {}
    body = values.get("body")
    if body not in Body.values:
        problems["body"] = [_("Choose the body that made the recommendations.")]
    title = _text(values, "title", 300, problems)
    round_or_year = _text(values, "round_or_year", 40, problems)
    url = _text(values, "url", 500, problems, required=False)
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except DjangoValidationError:
            problems["url"] = [_("Give a web address starting with https:// or http://.")]
    published = values.get("published") or None
    if published is not None and not isinstance(published, datetime.date):
        problems["published"] = [_("Give a date.")]
    clash = Source.objects.filter(body=body, title=title, round_or_year=round_or_year)
    if source is not None:
        clash = clash.exclude(pk=source.pk)
    if not problems and clash.exists():
        problems["title"] = [_("This source exists already.")]
    if problems:
        raise ValidationError(fields=problems)
    fields = {
        "body": body,
        "title": title,
        "round_or_year": round_or_year,
        "published": published,
        "url": url,
    }
    if source is None:
        source = Source.objects.create(**fields, is_demo=bool(values.get("is_demo")))
        action = "recommendation.source_add"
    else:
        for key, value in fields.items():
            setattr(source, key, value)
        save_versioned(source, list(fields), expected_version=expected_version)
        action = "recommendation.source_change"
    audit_log(action, actor=actor, obj=source, detail={"body": body, "round": round_or_year})
    return source


# --- Recommendations ------------------------------------------------------------------------


def _recommendation_values(values: dict, problems: dict) -> dict:
    clean = {
        "reference": _text(values, "reference", 40, problems),
        "text": _text(values, "text", 4000, problems),
        "year": _year(values.get("year"), "year", problems),
    }
    theme = values.get("theme")
    if theme not in Theme.values:
        problems["theme"] = [_("Choose prevention, protection, prosecution or partnership.")]
    clean["theme"] = theme
    topics = [str(t).strip() for t in values.get("topics") or [] if str(t).strip()]
    unknown = [t for t in topics if t not in topic_codes()]
    if unknown:
        problems["topics"] = [_("Unknown topics: %(topics)s.") % {"topics": ", ".join(unknown)}]
    clean["topics"] = list(dict.fromkeys(topics))
    priority = values.get("priority") or Priority.OTHER
    if priority not in Priority.values:
        problems["priority"] = [_("Choose the priority the source gives.")]
    clean["priority"] = priority
    wording = values.get("wording") or Wording.OWN_WORDS
    if wording not in Wording.values:
        problems["wording"] = [_("Choose how the text was written.")]
    clean["wording"] = wording
    return clean


def _unique(participant_id, source, reference, problems, *, exclude=None) -> None:
    if problems or source is None:
        return
    clash = Recommendation.objects.filter(
        participant_id=participant_id, source=source, reference=reference
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        problems["reference"] = [_("This source already has a recommendation with this number.")]


@transaction.atomic
def recommendation_create(*, actor, participant, source: Source, **values) -> Recommendation:
    require_for(actor, "recommendations.add_recommendation", participant.pk)
    problems: dict[str, list] = {}
    clean = _recommendation_values(values, problems)
    if source is None:
        problems["source"] = [_("Choose the source.")]
    _unique(participant.pk, source, clean["reference"], problems)
    if problems:
        raise ValidationError(fields=problems)
    try:
        with transaction.atomic():  # a savepoint: the same number saved by someone else just now
            recommendation = Recommendation.objects.create(
                participant=participant,
                source=source,
                is_demo=bool(values.get("is_demo")),
                created_by=_actor_user(actor),
                **clean,
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("This source already has a recommendation with this number.")
        ) from exc
    audit_log(
        "recommendation.add",
        actor=actor,
        obj=recommendation,
        detail={"participant": participant.code, "theme": recommendation.theme},
    )
    return recommendation


@transaction.atomic
def recommendation_update(
    *, actor, recommendation: Recommendation, expected_version, **values
) -> Recommendation:
    require_for(actor, "recommendations.change_recommendation", recommendation.participant_id)
    problems: dict[str, list] = {}
    clean = _recommendation_values(values, problems)
    source = values.get("source") or recommendation.source
    _unique(
        recommendation.participant_id, source, clean["reference"], problems, exclude=recommendation
    )
    if problems:
        raise ValidationError(fields=problems)
    for key, value in clean.items():
        setattr(recommendation, key, value)
    recommendation.source = source
    save_versioned(recommendation, [*clean, "source"], expected_version=expected_version)
    audit_log(
        "recommendation.change", actor=actor, obj=recommendation, detail={"fields": sorted(clean)}
    )
    return recommendation


@transaction.atomic
def recommendation_link(
    *, actor, recommendation: Recommendation, other: Recommendation, kind: str = LinkKind.REPEATS
) -> RecommendationLink:
    """Link a recommendation to one it repeats (or relates to). The link always points from
    the later recommendation to the earlier one."""
    require_for(actor, "recommendations.change_recommendation", recommendation.participant_id)
    if kind not in LinkKind.values:
        raise ValidationError(fields={"kind": [_("Choose repeats or is related to.")]})
    if other.participant_id != recommendation.participant_id:
        raise ValidationError(
            fields={"other": [_("Only recommendations to the same participant can be linked.")]}
        )
    if other.pk == recommendation.pk:
        raise ValidationError(fields={"other": [_("A recommendation cannot repeat itself.")]})
    later, earlier = (recommendation, other)
    if (other.year, other.pk) > (recommendation.year, recommendation.pk):
        later, earlier = other, recommendation
    if RecommendationLink.objects.filter(
        recommendation__in=[later, earlier], earlier__in=[later, earlier]
    ).exists():
        raise ValidationError(fields={"other": [_("These two are linked already.")]})
    link = RecommendationLink.objects.create(recommendation=later, earlier=earlier, kind=kind)
    audit_log(
        "recommendation.link",
        actor=actor,
        obj=later,
        detail={"earlier": earlier.pk, "kind": kind},
    )
    return link


@transaction.atomic
def recommendation_unlink(*, actor, link: RecommendationLink) -> None:
    require_for(actor, "recommendations.change_recommendation", link.recommendation.participant_id)
    detail = {"earlier": link.earlier_id, "kind": link.kind}
    recommendation = link.recommendation
    link.delete()
    audit_log("recommendation.unlink", actor=actor, obj=recommendation, detail=detail)


# --- Strategies, objectives, measures -------------------------------------------------------


@transaction.atomic
def strategy_save(
    *, actor, participant, strategy: Strategy | None = None, expected_version=None, **values
) -> Strategy:
    perm = "add_strategy" if strategy is None else "change_strategy"
    require_for(actor, f"recommendations.{perm}", participant.pk)
    problems: dict[str, list] = {}
    fields = {
        "title": _text(values, "title", 300, problems),
        "period_start": _year(values.get("period_start"), "period_start", problems),
        "period_end": _year(values.get("period_end"), "period_end", problems),
        "context": _text(values, "context", 20000, problems, required=False),
    }
    if (
        fields["period_start"]
        and fields["period_end"]
        and fields["period_end"] < fields["period_start"]
    ):
        problems["period_end"] = [_("The period ends after it starts.")]
    if problems:
        raise ValidationError(fields=problems)
    if strategy is None:
        strategy = Strategy.objects.create(
            participant=participant,
            is_demo=bool(values.get("is_demo")),
            created_by=_actor_user(actor),
            **fields,
        )
        action = "strategy.add"
    else:
        for key, value in fields.items():
            setattr(strategy, key, value)
        save_versioned(strategy, list(fields), expected_version=expected_version)
        action = "strategy.change"
    audit_log(action, actor=actor, obj=strategy, detail={"participant": participant.code})
    return strategy


@transaction.atomic
def objective_save(
    *, actor, strategy: Strategy, objective: Objective | None = None, **values
) -> Objective:
    perm = "add_objective" if objective is None else "change_objective"
    require_for(actor, f"recommendations.{perm}", strategy.participant_id)
    problems: dict[str, list] = {}
    text = _text(values, "text", 500, problems)
    theme = values.get("theme")
    if theme not in Theme.values:
        problems["theme"] = [_("Choose prevention, protection, prosecution or partnership.")]
    if problems:
        raise ValidationError(fields=problems)
    if objective is None:
        order = values.get("order")
        if order is None:
            order = strategy.objectives.count() + 1
        objective = Objective.objects.create(
            strategy=strategy, theme=theme, text=text, order=int(order)
        )
        action = "strategy.objective_add"
    else:
        objective.theme, objective.text = theme, text
        objective.save(update_fields=["theme", "text"])
        action = "strategy.objective_change"
    audit_log(action, actor=actor, obj=objective, detail={"strategy": strategy.pk, "theme": theme})
    return objective


#: What a person writes about a measure (the objective and recommendations are links).
MEASURE_FIELDS = (
    "title",
    "responsible",
    "partners",
    "deadline",
    "budget",
    "currency",
    "funding_source",
    "output_indicator",
    "outcome_indicator",
    "baseline",
    "target",
)

MEASURE_TEXT = {
    "title": (300, True),
    "responsible": (200, True),
    "partners": (300, False),
    "funding_source": (200, False),
    "output_indicator": (300, False),
    "outcome_indicator": (300, False),
    "baseline": (100, False),
    "target": (100, False),
}


def _measure_values(values: dict, problems: dict) -> dict:
    clean = {
        name: _text(values, name, limit, problems, required=required)
        for name, (limit, required) in MEASURE_TEXT.items()
    }
    deadline = values.get("deadline") or None
    if deadline is not None and not isinstance(deadline, datetime.date):
        problems["deadline"] = [_("Give a date.")]
    clean["deadline"] = deadline
    budget = values.get("budget")
    if budget in (None, ""):
        clean["budget"] = None
    else:
        try:
            amount = Decimal(str(budget))
        except (InvalidOperation, ValueError):
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
            problems["budget"] = [_("An amount of 0 or more, e.g. 25000.00.")]
        else:
            clean["budget"] = amount.quantize(Decimal("0.01"))
    currency = str(values.get("currency") or "EUR").strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not currency.isascii():
        problems["currency"] = [_("A three-letter currency code, e.g. EUR, RSD, MKD.")]
    clean["currency"] = currency
    return clean


def _same_participant(recommendations, participant_id: int) -> list:
    recommendations = list(recommendations or [])
    if any(r.participant_id != participant_id for r in recommendations):
        raise ValidationError(
            fields={
                "recommendations": [
                    _("A measure answers only recommendations to its own participant.")
                ]
            }
        )
    return recommendations


@transaction.atomic
def measure_save(
    *,
    actor,
    objective: Objective,
    measure: Measure | None = None,
    expected_version=None,
    recommendations=None,
    **values,
) -> Measure:
    """Add a measure under an objective, or change one (it may move to another objective of the
    same plan). `recommendations`, when given, replaces the recommendations it answers."""
    participant_id = objective.strategy.participant_id
    perm = "add_measure" if measure is None else "change_measure"
    require_for(actor, f"recommendations.{perm}", participant_id)
    problems: dict[str, list] = {}
    clean = _measure_values(values, problems)
    if measure is not None and objective.strategy_id != measure.objective.strategy_id:
        problems["objective"] = [_("Choose an objective of the same plan.")]
    if problems:
        raise ValidationError(fields=problems)
    linked = None
    if recommendations is not None:
        linked = _same_participant(recommendations, participant_id)
    if measure is None:
        measure = Measure.objects.create(
            objective=objective, is_demo=bool(values.get("is_demo")), **clean
        )
        action = "measure.add"
    else:
        for key, value in clean.items():
            setattr(measure, key, value)
        measure.objective = objective
        save_versioned(measure, [*clean, "objective"], expected_version=expected_version)
        action = "measure.change"
    if linked is not None:
        measure.recommendations.set(linked)
    audit_log(
        action,
        actor=actor,
        obj=measure,
        detail={
            "strategy": objective.strategy_id,
            "recommendations": sorted(r.pk for r in linked) if linked is not None else None,
        },
    )
    return measure


@transaction.atomic
def progress_report_add(*, actor, measure: Measure, **values) -> ProgressReport:
    """Report on a measure for a period. Reports are kept: a correction is a new report."""
    require_for(
        actor, "recommendations.add_progressreport", measure.objective.strategy.participant_id
    )
    problems: dict[str, list] = {}
    period = _text(values, "period", 40, problems)
    evidence = _text(values, "evidence", 4000, problems, required=False)
    indicator_value = _text(values, "indicator_value", 100, problems, required=False)
    status = values.get("status")
    if status not in ProgressStatus.values:
        problems["status"] = [_("Choose the status.")]
    period_end = values.get("period_end")
    if not isinstance(period_end, datetime.date):
        problems["period_end"] = [_("Give the date the period ends.")]
    elif period_end > timezone.localdate() + datetime.timedelta(days=366):
        problems["period_end"] = [_("The period ends at most a year from now.")]
    if problems:
        raise ValidationError(fields=problems)
    report = ProgressReport.objects.create(
        measure=measure,
        period=period,
        period_end=period_end,
        status=status,
        evidence=evidence,
        indicator_value=indicator_value,
        author=_actor_user(actor),
    )
    audit_log(
        "measure.progress",
        actor=actor,
        obj=measure,
        detail={"report": report.pk, "status": status, "period": period},
    )
    return report


def plan_exported(*, actor, strategy: Strategy, kind: str) -> None:
    """Every export is audited (the draft plan holds no personal data, but it leaves Veza)."""
    require_for(actor, "recommendations.view_strategy", strategy.participant_id)
    audit_log("strategy.export", actor=actor, obj=strategy, detail={"format": kind})
