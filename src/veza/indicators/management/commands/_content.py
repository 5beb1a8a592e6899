"""Shared look-ups for the content commands."""

from django.core.management.base import CommandError

from veza.indicators.models import DecisionRule, IndicatorSet


def published_set(code: str, version: int | None = None) -> IndicatorSet:
    qs = IndicatorSet.objects.published().filter(code=code)
    if version is not None:
        qs = qs.filter(version=version)
    item = qs.order_by("-builtin", "-version").first()
    if item is None:
        known = ", ".join(sorted(set(IndicatorSet.objects.values_list("code", flat=True))))
        raise CommandError(f"Unknown indicator set {code!r}. Known sets: {known}.", returncode=2)
    return item


def published_rule(code: str | None = None) -> DecisionRule:
    qs = DecisionRule.objects.published()
    if code:
        qs = qs.filter(code=code)
    item = qs.order_by("-builtin", "-version").first()
    if item is None:
        raise CommandError(f"Unknown decision rule {code!r}.", returncode=2)
    return item
