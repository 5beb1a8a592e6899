"""A recorded sample of offline submissions, in the export formats of ODK Central and
KoboToolbox, imports into the recorded outcomes.

The files in `samples/` were made by this test from the project's demo stories (the same
people screened on four questionnaires):
`VEZA_RECORD_SAMPLES=1 pytest tests/fieldforms/test_samples.py` writes them again, with
`expected.json` (the outcome and urgent flags of every submission).
Without that variable the test imports the files as they are and compares."""

import json
import os
from pathlib import Path

import pytest

from tests.factories import make_organisation, make_user
from tests.fieldforms.exports import (
    kobo_csv,
    kobo_json,
    multi_choices,
    odk_central_csv,
    odk_central_json,
)
from veza.fieldforms.export import form_export
from veza.fieldforms.services import submissions_import
from veza.fieldforms.xlsform import form_values
from veza.indicators.services import content_bundle
from veza.screening.demo import VIGNETTES, answers_for

SAMPLES = Path(__file__).parent / "samples"
FILES = {
    "odk-central-quick.csv": ("quick", odk_central_csv),
    "odk-central-border_asylum_reception.json": ("border_asylum_reception", odk_central_json),
    "kobotoolbox-health.json": ("health", kobo_json),
    "kobotoolbox-cso_outreach.csv": ("cso_outreach", kobo_csv),
}


def _record(participant):
    bundle = content_bundle(participant)
    for file_name, (code, writer) in FILES.items():
        parsed = bundle.parse_questionnaire(bundle.questionnaires[code])
        values = [
            form_values(parsed, answers_for(parsed, age, forms, indicators, urgent))
            for _name, age, forms, indicators, urgent in VIGNETTES
        ]
        xlsx = form_export(participant=participant, questionnaire_code=code, language="sr").content
        if writer is kobo_csv:
            raw = writer(xlsx, values, multi=multi_choices(parsed))
        else:
            raw = writer(xlsx, values)
        (SAMPLES / file_name).write_bytes(raw)


@pytest.mark.skipif(not os.environ.get("VEZA_RECORD_SAMPLES"), reason="records the samples")
def test_record_the_samples(db):
    SAMPLES.mkdir(exist_ok=True)
    _record(make_organisation("RS").participant)
    organisation = make_organisation("RS", sector="border_asylum_reception")
    user = make_user(role="frontline_professional", organisation=organisation)
    expected = {}
    for file_name in FILES:
        raw = (SAMPLES / file_name).read_bytes()
        batch = submissions_import(
            actor=user, organisation=organisation, file_name=file_name, raw=raw
        )
        expected[file_name] = {
            s.external_id: {"outcome": s.outcome, "urgent": sorted(s.urgent)}
            for s in batch.screenings.all()
        }
    (SAMPLES / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


@pytest.mark.parametrize("file_name", list(FILES))
def test_the_recorded_samples_import_into_the_recorded_outcomes(db, file_name):
    expected = json.loads((SAMPLES / "expected.json").read_text())[file_name]
    organisation = make_organisation("RS", sector="border_asylum_reception")
    user = make_user(role="frontline_professional", organisation=organisation)
    raw = (SAMPLES / file_name).read_bytes()
    batch = submissions_import(actor=user, organisation=organisation, file_name=file_name, raw=raw)
    got = {
        s.external_id: {"outcome": s.outcome, "urgent": sorted(s.urgent)}
        for s in batch.screenings.all()
    }
    assert got == expected


def test_the_samples_hold_every_outcome_and_urgent_flags():
    expected = json.loads((SAMPLES / "expected.json").read_text())
    outcomes = {r["outcome"] for rows in expected.values() for r in rows.values()}
    assert outcomes == {
        "presumed_victim",
        "potential_victim",
        "indicators_present",
        "no_indicators",
    }
    flags = {f for rows in expected.values() for r in rows.values() for f in r["urgent"]}
    assert {"immediate_danger", "presumed_child"} <= flags
