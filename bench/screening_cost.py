"""What completing a screening costs, against saving answers, in the same run.

    .venv/bin/python bench/screening_cost.py [--screenings 300]

Creates a throw-away database (SQLite in a temporary directory, or PostgreSQL when DATABASE_URL is
set), loads the shipped content, and for N health screenings measures:
  baseline: screening_save (validate the answers against the questionnaire, save, audit)
  complete: screening_complete (read answers, evaluate every applicable indicator set and the
            supplementary lists with the decision rule, freeze the result, audit)
and, without the database, the engine alone (evaluations per second on random answers).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenings", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("VEZA_DATA_DIR", tempfile.mkdtemp(prefix="veza-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from veza.indicators.engine import evaluate
    from veza.indicators.services import content_bundle
    from veza.organisations.demo import demo_load
    from veza.organisations.models import Membership
    from veza.screening.demo import answers_for
    from veza.screening.services import screening_complete, screening_save, screening_start

    call_command("migrate", verbosity=0)
    demo_load()
    membership = (
        Membership.objects.filter(user__username="rs.frontline")
        .select_related("user", "organisation__participant")
        .get()
    )
    user, organisation = membership.user, membership.organisation
    bundle = content_bundle(organisation.participant)
    known = bundle.known_indicators()
    rng = random.Random(7)
    ids = sorted(known)
    n = args.screenings
    drafts, answer_sets = [], []
    for _ in range(n):
        s = screening_start(actor=user, organisation=organisation, questionnaire_code="health")
        parsed = bundle.parse_questionnaire(s.questionnaire)
        story = rng.sample(ids, rng.randint(0, 12))
        answer_sets.append(answers_for(parsed, rng.randint(12, 60), ["unsure"], story, []))
        drafts.append(s)

    started = time.perf_counter()
    for i, (s, answers) in enumerate(zip(drafts, answer_sets, strict=True)):
        screening_save(actor=user, screening=s, answers=answers, expected_version=s.version)
        if i % 50 == 0:
            print(f"\rsave {i}/{n}", end="", file=sys.stderr)
    save = time.perf_counter() - started
    started = time.perf_counter()
    for i, s in enumerate(drafts):
        screening_complete(actor=user, screening=s, expected_version=s.version)
        if i % 50 == 0:
            print(f"\rcomplete {i}/{n}", end="", file=sys.stderr)
    complete = time.perf_counter() - started
    print("\r", end="", file=sys.stderr)

    indicator_set = bundle.sets["ilo-ec-2009-adult-labour"].parsed
    rule = bundle.rule.parsed
    samples = [rng.sample(ids, rng.randint(0, 15)) for _ in range(20000)]
    started = time.perf_counter()
    for present in samples:
        evaluate(indicator_set, rule, present, strict=False)
    engine = time.perf_counter() - started

    print(f"database: {connection.vendor}, screenings: {n}")
    ratio = complete / save
    print(f"save     {n / save:7.0f}/s   complete {n / complete:7.0f}/s   ratio {ratio:5.2f}")
    print(f"engine   {len(samples) / engine:7.0f} evaluations/s (one set, no database)")


if __name__ == "__main__":
    main()
