"""Recommendation test data, made through the services (as real use makes it)."""

from __future__ import annotations

import datetime
import itertools

from tests.factories import make_organisation, make_user
from veza.organisations.models import Participant
from veza.recommendations.services import (
    measure_save,
    objective_save,
    progress_report_add,
    recommendation_create,
    recommendation_link,
    source_save,
    strategy_save,
)

_seq = itertools.count(1)
ACTOR = "test"


def policy_officer(code: str = "RS", *, username: str | None = None, organisation=None):
    organisation = organisation or make_organisation(code, sector="national_coordinator")
    return make_user(username, role="policy_officer", organisation=organisation)


def source(body: str = "greta", *, year: int = 2023, title: str | None = None):
    return source_save(
        actor=ACTOR,
        body=body,
        title=title or f"Test source {next(_seq)}",
        round_or_year=str(year),
    )


def recommendation(code: str = "RS", *, src=None, year: int = 2023, theme="protection", **values):
    values.setdefault("reference", f"R{next(_seq)}")
    values.setdefault("text", "Identify victims without waiting for a criminal case.")
    return recommendation_create(
        actor=ACTOR,
        participant=Participant.objects.get(code=code),
        source=src or source(year=year),
        year=year,
        theme=theme,
        **values,
    )


def repeats(later, earlier):
    return recommendation_link(actor=ACTOR, recommendation=later, other=earlier)


def strategy(code: str = "RS", **values):
    values.setdefault("title", f"Action plan {next(_seq)}")
    values.setdefault("period_start", 2025)
    values.setdefault("period_end", 2027)
    return strategy_save(actor=ACTOR, participant=Participant.objects.get(code=code), **values)


def objective(plan, theme="protection", text="Victims are identified early."):
    return objective_save(actor=ACTOR, strategy=plan, theme=theme, text=text)


def measure(goal, *, answers=(), **values):
    values.setdefault("title", f"Measure {next(_seq)}")
    values.setdefault("responsible", "Ministry (test)")
    return measure_save(actor=ACTOR, objective=goal, recommendations=list(answers), **values)


def report(item, status, *, period_end=None, period="2026 H1", **values):
    return progress_report_add(
        actor=ACTOR,
        measure=item,
        period=period,
        period_end=period_end or datetime.date(2026, 6, 30),
        status=status,
        **values,
    )
