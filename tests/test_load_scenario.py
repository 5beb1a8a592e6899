"""The load scenario (bench/load/locustfile.py) cannot rot: a short run of every persona against a
live server over the demo data makes no failed request and exercises every request type.

Figures come from bench/load/run.py, never from here: this run only checks that the scenario still
fits the pages, forms and API it drives.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load.plan import build_plan, write_plan

# Not imported: locust patches the standard library for gevent on import.
LOCUST = Path(sys.executable).parent / "locust"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    # On SQLite the live server shares one in-memory database whose tables lock under concurrent
    # requests (503): the scenario runs where it is measured, on PostgreSQL.
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not LOCUST.exists(), reason="locust is in the bench extra: pip install -e '.[bench]'"
    ),
]

#: Every request type of the mix (bench/load/locustfile.py). Those of DEPENDS_ON_DATA are made
#: only when the data calls for them (an emergency area in the coordinator's country, a referral
#: in that state).
REQUEST_TYPES = {
    *("login: page", "login: password", "login: code page", "login: code"),
    *("home", "static: asset", "worklist"),
    *("screening: start page", "screening: start", "screening: section"),
    *("screening: save section", "screening: review", "screening: complete"),
    *("screening: outcome", "screening: list"),
    *("case: list", "case: detail", "case: move stage"),
    *("referral: form", "referral: send", "referral: detail", "service: directory"),
    *("referral: accept", "referral: decline", "referral: start", "referral: complete"),
    *("dashboard: emergencies", "dashboard: emergency area", "dashboard: releases"),
    *("api: me", "api: cases list", "api: cases detail", "api: referrals list"),
    *("api: referrals detail", "api: screenings list", "api: screenings detail"),
}
DEPENDS_ON_DATA = {"dashboard: emergency area", "referral: start", "referral: complete"}

ROOT = Path(__file__).resolve().parents[1]
# The statistics steps of the demo take most of its time; the coordinator's pages work without.
SKIPPED_DEMO_STEPS = {"regional releases", "UNODC GLOTIP series", "migration dataflows"}


def _a_second_referral_waiting_for_one_provider():
    """The demo has one referral waiting per provider at most; the smoke run accepts one and
    declines another, so one provider gets a second (the same referral sent again), which makes
    it the busiest: the one that signs in first (bench.load.plan)."""
    from veza.organisations.models import Membership
    from veza.referrals.models import Referral
    from veza.referrals.services import referral_send

    providers = Membership.objects.filter(role__code="service_provider").values("organisation")
    first = (
        Referral.objects.filter(status="sent", sent_by__isnull=False, to_organisation__in=providers)
        .order_by("pk")
        .first()
    )
    referral_send(
        actor=first.sent_by,
        case=first.case,
        service=first.service,
        reason=first.reason,
        urgency=first.urgency,
        shared_fields=first.shared_fields,
        override_reason=first.override_reason,
    )


def test_every_request_type_of_the_mix_runs_without_a_failure(live_server, tmp_path):
    from veza.core.demo import demo_steps

    for step in demo_steps():
        if step.name not in SKIPPED_DEMO_STEPS:
            step.run()
    plan = tmp_path / "plan.json"
    _a_second_referral_waiting_for_one_provider()
    write_plan(plan, build_plan(api_accounts=3))
    env = dict(
        os.environ,
        VEZA_LOAD_PLAN=str(plan),
        VEZA_LOAD_SMOKE="1",  # one user per persona, every task in turn, no think time
    )
    run = subprocess.run(
        [
            str(LOCUST),
            "-f",
            str(ROOT / "bench/load/locustfile.py"),
            "--host",
            live_server.url,
            "--headless",
            "--only-summary",
            "--users",
            "5",
            "--spawn-rate",
            "5",
            "--run-time",
            "15s",
            "--csv",
            str(tmp_path / "smoke"),
            *("Frontline", "CaseManager", "Provider", "Coordinator", "ApiClient"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    with (tmp_path / "smoke_stats.csv").open() as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    failures = {
        name: row["Failure Count"] for name, row in rows.items() if row["Failure Count"] != "0"
    }
    assert not failures, (tmp_path / "smoke_failures.csv").read_text()
    seen = {name for name, row in rows.items() if int(row["Request Count"])}
    assert seen >= REQUEST_TYPES - DEPENDS_ON_DATA, sorted(REQUEST_TYPES - DEPENDS_ON_DATA - seen)
    assert seen - {"Aggregated"} <= REQUEST_TYPES, "name new request types in REQUEST_TYPES"
