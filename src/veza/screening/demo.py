"""Demo screenings: completed ones of every outcome, drafts and quick screens, in every participant.

Answers are derived from short vignettes (lists of indicators a story would show) through each
questionnaire's own mapping, so every questionnaire gets realistic answers without hand-written
answer sheets. Seeded, so every run makes the same data.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model

from veza.indicators.questionnaire import AGE_UNKNOWN_CHILD
from veza.indicators.services import content_bundle
from veza.organisations.models import Membership
from veza.screening.choices import Origin
from veza.screening.models import Screening
from veza.screening.services import screening_complete, screening_save, screening_start

__all__ = ["VIGNETTES", "answers_for", "demo_screenings"]

# (name, age, forms of exploitation, indicators the story shows, urgent flags)
VIGNETTES = [
    (
        "farm work abroad",
        34,
        ["labour"],
        [
            "dr.nature_place_employer",
            "dr.wages",
            "ex.excessive_hours",
            "ex.low_no_salary",
            "cd.documents_confiscated",
            "cd.debt_bondage",
            "cd.isolation",
        ],
        [],
    ),
    (
        "bar on the coast",
        22,
        ["sexual"],
        [
            "dr.nature_place_employer",
            "dr.working_conditions",
            "cd.forced_tasks_clients",
            "cd.violence",
            "cd.documents_confiscated",
            "ex.excessive_hours",
            "ex.low_no_salary",
        ],
        ["emergency_medical"],
    ),
    (
        "boy begging",
        AGE_UNKNOWN_CHILD,
        ["begging_criminality"],
        [
            "rv.difficult_family",
            "rv.economic",
            "cd.forced_criminal",
            "ex.no_education",
            "ex.excessive_hours",
        ],
        ["unaccompanied_child"],
    ),
    ("passport kept", 41, ["labour"], ["cd.documents_confiscated", "ex.low_no_salary"], []),
    ("construction pay", 29, ["labour"], ["ex.low_no_salary", "ex.law_contract_breached"], []),
    ("job offer online", 19, ["unsure"], ["rv.economic"], []),
    ("nothing found", 45, ["labour"], [], []),
    ("danger now", 27, ["sexual"], ["cd.threat_violence", "cd.isolation"], ["immediate_danger"]),
]


def answers_for(questionnaire, age, forms, indicators, flags) -> dict:
    """Answers a screener would give for a story showing `indicators` (and raising `flags`)."""
    shows = set(indicators)
    answers: dict = {}
    for question in questionnaire.questions.values():
        if question.type == "age":
            answers[question.id] = age
        elif question.type == "exploitation":
            answers[question.id] = list(forms)
        elif question.type == "yes_no":
            hit = (question.indicators and set(question.indicators) <= shows) or (
                question.urgent in flags
            )
            answers[question.id] = "yes" if hit else "no"
        elif question.type in ("choice", "multi"):
            matching = [
                o.value for o in question.options if o.indicators and set(o.indicators) <= shows
            ]
            if question.type == "multi" and matching:
                answers[question.id] = matching
            elif question.type == "choice":
                neutral = [o.value for o in question.options if not o.indicators]
                pick = matching[:1] or neutral[:1]
                if pick:
                    answers[question.id] = pick[0]
    return answers


def demo_screenings(*, progress=None) -> dict:
    if Screening.objects.filter(is_demo=True).exists():
        return {"lines": ["Demo screenings exist already."]}
    rng = random.Random(20261125)
    User = get_user_model()
    screeners = (
        Membership.objects.live()
        .filter(user__is_demo=True, role__permissions__codename="add_screening")
        .select_related("user", "organisation__participant")
        .distinct()
        .order_by("organisation__participant__code", "user__username")
    )
    by_participant: dict[str, list] = {}
    for membership in screeners:
        by_participant.setdefault(membership.organisation.participant.code, []).append(membership)
    made = 0
    outcomes: dict[str, int] = {}
    for number, (code, memberships) in enumerate(sorted(by_participant.items()), start=1):
        bundle = content_bundle(memberships[0].organisation.participant)
        sector_codes = sorted(c for c, q in bundle.questionnaires.items() if q.mode == "full")
        for index, vignette in enumerate(VIGNETTES):
            _name, age, forms, indicators, urgent = vignette
            membership = memberships[index % len(memberships)]
            user = User.objects.get(pk=membership.user_id)
            code_q = (
                "quick"
                if index % 4 == 3
                else (
                    membership.organisation.sector
                    if membership.organisation.sector in bundle.questionnaires
                    else rng.choice(sector_codes)
                )
            )
            screening = screening_start(
                actor=user,
                organisation=membership.organisation,
                questionnaire_code=code_q,
                origin=Origin.DEMO,
            )
            parsed = bundle.parse_questionnaire(screening.questionnaire)
            answers = answers_for(parsed, age, forms, indicators, urgent)
            if index == len(VIGNETTES) - 1 and code != "HUB":
                # The last story stays a draft, half answered: someone's work in progress.
                half = dict(list(answers.items())[: len(answers) // 2])
                screening_save(
                    actor=user,
                    screening=screening,
                    answers=half,
                    expected_version=screening.version,
                    section=2,
                )
            else:
                screening_save(
                    actor=user,
                    screening=screening,
                    answers=answers,
                    expected_version=screening.version,
                )
                screening_complete(
                    actor=user, screening=screening, expected_version=screening.version
                )
                outcomes[screening.outcome] = outcomes.get(screening.outcome, 0) + 1
            Screening.objects.filter(pk=screening.pk).update(is_demo=True)
            made += 1
        if progress:
            progress(number, len(by_participant), code)
    summary = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items()))
    return {"lines": [f"Demo screenings: {made} ({summary}; the rest in progress)."]}
