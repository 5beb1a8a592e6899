"""Scale data, part 2: the screenings. For every generated case, the completed screening that led
to it; around it, about as many screenings that did not lead to a case (no indicators, drafts,
quick screens of a mass arrival).

Answers are real answers to the participant's real questionnaires, made from stories (the demo's
vignettes and random mixes of each questionnaire's indicators) with `answers_for`, and every
result is the real engine's (`evaluate_answers`). A few hundred answer sheets are computed once
per run and sampled for the screenings.
"""

from __future__ import annotations

import random
from datetime import timedelta

from veza.core.bulk import insert_objects, insert_rows
from veza.indicators.questionnaire import AGE_UNKNOWN_CHILD
from veza.indicators.services import content_bundle
from veza.organisations.models import Participant
from veza.organisations.scale import STAFF
from veza.screening.choices import Origin, ScreeningStatus
from veza.screening.demo import VIGNETTES, answers_for
from veza.screening.models import Screening
from veza.screening.services import _apply_evaluation, evaluate_answers

__all__ = ["FORMS", "day_in_last_five_years", "scale_screenings", "scale_sheets"]


#: Forms of exploitation the screener suspects, with their share of the stories.
FORMS = [
    ("sexual", 40),
    ("labour", 33),
    ("begging_criminality", 12),
    ("domestic_servitude", 5),
    ("forced_marriage", 4),
    ("unsure", 6),
]
#: Share of the cases opened in each of the last five years (this year first).
YEARS = [30, 25, 20, 15, 10]
SHEETS_PER_QUESTIONNAIRE = 40
LEADS_TO_CASE = ("potential_victim", "presumed_victim")


def day_in_last_five_years(rng: random.Random) -> int:
    """How many days ago: recent years weigh more."""
    years_ago = rng.choices(range(5), weights=YEARS)[0]
    return years_ago * 365 + rng.randrange(365)


def _story(rng: random.Random, questionnaire) -> tuple:
    """(age, forms, indicators, flags) of an invented story for this questionnaire."""
    if rng.random() < 0.25:
        _name, age, forms, indicators, flags = rng.choice(VIGNETTES)
        return age, forms, indicators, flags
    forms = [rng.choices([f for f, _w in FORMS], weights=[w for _f, w in FORMS])[0]]
    child = rng.random() < 0.3
    age = (
        (AGE_UNKNOWN_CHILD if rng.random() < 0.1 else rng.randint(10, 17))
        if child
        else rng.choice([rng.randint(18, 30), rng.randint(18, 45), rng.randint(18, 65)])
    )
    known = sorted(questionnaire.indicator_ids())
    density = rng.choice([0.0, 0.05, 0.15, 0.3, 0.5, 0.7])
    indicators = [i for i in known if rng.random() < density]
    flags = []
    if child and rng.random() < 0.3:
        flags.append("unaccompanied_child")
    if rng.random() < 0.05:
        flags.append(rng.choice(["immediate_danger", "emergency_medical"]))
    return age, forms, indicators, flags


def scale_sheets(run) -> None:
    """Compute the answer sheets once: `run.shared["sheets"]` maps a questionnaire code to the
    sheets by outcome; each sheet is (answers, evaluation)."""
    participant = Participant.objects.get(code=run.participant_code)
    bundle = content_bundle(participant)
    rng = random.Random(f"{run.seed}/sheets")
    sheets: dict[str, dict[str, list]] = {}
    for code in sorted(bundle.questionnaires):
        questionnaire = bundle.questionnaires[code]
        parsed = bundle.parse_questionnaire(questionnaire)
        by_outcome: dict[str, list] = {}
        tries = 0
        while sum(len(v) for v in by_outcome.values()) < SHEETS_PER_QUESTIONNAIRE and tries < 400:
            tries += 1
            age, forms, indicators, flags = _story(rng, parsed)
            answers = answers_for(parsed, age, forms, indicators, flags)
            evaluation = evaluate_answers(bundle, parsed, answers)
            by_outcome.setdefault(evaluation["outcome"], []).append((answers, evaluation))
        sheets[code] = by_outcome
    run.shared["bundle"] = bundle
    run.shared["sheets"] = sheets


def _reference(rng: random.Random, batch, code: str) -> str:
    return f"SCR-{code}-{batch.code(rng)}"


def _pick(rng, sheets, code, outcomes):
    by_outcome = sheets[code]
    pool = [s for o in outcomes for s in by_outcome.get(o, [])]
    if not pool:  # this questionnaire made no such sheet: take one of another questionnaire
        for other in sorted(sheets):
            pool = [s for o in outcomes for s in sheets[other].get(o, [])]
            if pool:
                return other, rng.choice(pool)
    return code, rng.choice(pool)


def scale_screenings(batch) -> None:
    """The screenings of the batch's cases, as `batch.records["lead"]` (case number → the
    screening that led to it) and further ones that led to no case."""
    run = batch.run
    rng = batch.rng("screenings")
    staff, organisations = run.shared["staff"], run.shared["organisations"]
    sheets, bundle = run.shared["sheets"], run.shared["bundle"]
    openers = [(s, w) for s, (_n, _r, w, _f) in STAFF.items() if s != "national_coordinator"]
    full = sorted(c for c, q in bundle.questionnaires.items() if q.mode == "full")
    arrival_days = [rng.randrange(5 * 365) for _ in range(3)]
    made, leads, sets_rows = [], {}, []
    for index in batch.indices():
        sector = rng.choices([s for s, _w in openers], weights=[w for _s, w in openers])[0]
        user = rng.choice(staff[sector])
        organisation = organisations[sector]
        code = sector if sector in full else rng.choice(full)
        days = day_in_last_five_years(rng)
        at = run.now - timedelta(days=days, minutes=rng.randrange(24 * 60))
        outcomes = ("presumed_victim",) if rng.random() < 0.3 else ("potential_victim",)
        lead = _screening(
            rng, batch, bundle, sheets, code, outcomes, user, organisation, at, completed=True
        )
        others = []
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            kind = rng.random()
            who = rng.choice(staff[sector])
            when = at - timedelta(days=rng.randrange(60), minutes=rng.randrange(600))
            questionnaire, where, completed = code, organisation, kind < 0.85
            if kind < 0.4:  # a quick screen on a day of mass arrival, at the border
                who = rng.choice(staff["border_asylum_reception"])
                when = run.now - timedelta(
                    days=rng.choice(arrival_days), minutes=rng.randrange(600)
                )
                questionnaire, where = "quick", organisations["border_asylum_reception"]
            # Otherwise a further screening in the same sector: completed, or a draft (15 %).
            others.append(
                _screening(
                    rng,
                    batch,
                    bundle,
                    sheets,
                    questionnaire,
                    ("no_indicators", "indicators_present"),
                    who,
                    where,
                    when,
                    completed=completed,
                )
            )
        if not batch.writes(index):
            continue
        leads[index] = lead
        made += [lead, *others]
    insert_objects(Screening, [s for s, _sets in made])
    through = Screening.sets.through
    for screening, sets in made:
        sets_rows += [(screening.pk, s.pk) for s in sets]
        questionnaire = screening.questionnaire
        batch.log(
            "screening.start",
            actor=screening.created_by,
            obj=screening,
            organisation_id=screening.organisation_id,
            detail={
                "questionnaire": f"{questionnaire.code} v{questionnaire.version}",
                "origin": screening.origin,
            },
        )
        if screening.is_draft:
            batch.log(
                "screening.update",
                actor=screening.created_by,
                obj=screening,
                organisation_id=screening.organisation_id,
                detail={"questions": sorted(screening.answers)},
            )
        else:
            batch.log(
                "screening.complete",
                actor=screening.created_by,
                obj=screening,
                organisation_id=screening.organisation_id,
                detail={
                    "outcome": screening.outcome,
                    "urgent": screening.urgent,
                    "sets": [f"{s.code} v{s.version}" for s in sets],
                    "rule": f"{bundle.rule.code} v{bundle.rule.version}",
                },
            )
    insert_rows(through, ["screening_id", "indicatorset_id"], sets_rows)
    batch.records["lead"] = {i: s for i, (s, _sets) in leads.items()}
    run.count("screenings", len(made))


def _screening(rng, batch, bundle, sheets, code, outcomes, user, organisation, at, *, completed):
    run = batch.run
    code, (answers, evaluation) = _pick(rng, sheets, code, outcomes)
    questionnaire = bundle.questionnaires[code]
    screening = Screening(
        reference=_reference(rng, batch, run.participant_code),
        organisation=organisation,
        participant=organisation.participant,
        created_by=user,
        mode=questionnaire.mode,
        sector=questionnaire.sector,
        questionnaire=questionnaire,
        origin=Origin.DEMO,
        answers=dict(answers),
        created_at=at,
        updated_at=at + timedelta(minutes=rng.randint(5, 40)),
        is_demo=True,
    )
    if not completed:
        half = dict(list(answers.items())[: len(answers) // 2])
        screening.answers = half
        screening.status = ScreeningStatus.DRAFT
        screening.current_section = 2
        screening.version = 2
        return screening, []
    screening.completed_at = screening.updated_at
    _apply_evaluation(screening, evaluation, bundle, user)
    # start, a save of the answers, completion: the version the services would have reached.
    screening.version = 3
    return screening, evaluation["sets"]
