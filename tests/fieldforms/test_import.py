"""Submissions made offline come back as screenings with the outcome the engine computes:
from ODK Central and KoboToolbox, CSV and JSON; duplicates skipped; a file that does not fit
changes nothing."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import login_verified, make_organisation, make_user
from tests.fieldforms.exports import (
    kobo_csv,
    kobo_json,
    multi_choices,
    odk_central_csv,
    odk_central_json,
)
from veza.core.audit import AuditEntry
from veza.core.errors import PermissionDeniedError
from veza.core.imports import ImportRejected
from veza.fieldforms.export import form_export
from veza.fieldforms.models import SubmissionImport
from veza.fieldforms.services import submissions_import
from veza.fieldforms.xlsform import form_values
from veza.indicators.services import content_bundle
from veza.referrals.models import Notification
from veza.screening.demo import VIGNETTES, answers_for
from veza.screening.models import Screening
from veza.screening.services import evaluate_answers


@pytest.fixture
def border(db):
    return make_organisation("RS", sector="border_asylum_reception")


@pytest.fixture
def screener(border):
    return make_user(role="frontline_professional", organisation=border)


@pytest.fixture
def quick(border):
    """The demo stories answered on the quick screen, and its form."""
    stories, _multi = _stories(border.participant, "quick")
    xlsx = form_export(participant=border.participant, questionnaire_code="quick", language="en")
    return stories, xlsx.content


def _stories(participant, code):
    """Each demo story answered on the questionnaire, and the outcome the engine gives it."""
    bundle = content_bundle(participant)
    parsed = bundle.parse_questionnaire(bundle.questionnaires[code])
    stories = []
    for _name, age, forms, indicators, urgent in VIGNETTES:
        answers = answers_for(parsed, age, forms, indicators, urgent)
        expected = evaluate_answers(bundle, parsed, answers)
        stories.append(
            (
                form_values(parsed, answers),
                expected["outcome"],
                sorted(expected["result"]["urgent"]),
            )
        )
    return stories, multi_choices(parsed)


def _file(kind, xlsx, values, multi):
    if kind == "odk.csv":
        return "submissions.csv", odk_central_csv(xlsx, values)
    if kind == "odk.json":
        return "Submissions.json", odk_central_json(xlsx, values)
    if kind == "kobo.csv":
        return "veza_quick.csv", kobo_csv(xlsx, values, multi=multi)
    return "data.json", kobo_json(xlsx, values)


@pytest.mark.parametrize("code", ["quick", "health", "border_asylum_reception"])
@pytest.mark.parametrize("kind", ["odk.csv", "odk.json", "kobo.csv", "kobo.json"])
def test_submissions_come_back_with_the_engine_outcome(border, screener, code, kind):
    stories, multi = _stories(border.participant, code)
    xlsx = form_export(
        participant=border.participant, questionnaire_code=code, language="sr"
    ).content
    name, raw = _file(kind, xlsx, [s[0] for s in stories], multi)
    batch = submissions_import(actor=screener, organisation=border, file_name=name, raw=raw)
    assert batch.created == len(stories) and batch.duplicates == 0
    assert batch.tool == ("odk_central" if kind.startswith("odk") else "kobotoolbox")
    made = list(batch.screenings.order_by("external_id"))
    by_id = {s.external_id: s for s in made}
    assert len(by_id) == len(stories)
    got = sorted((s.outcome, sorted(s.urgent)) for s in made)
    assert got == sorted((outcome, urgent) for _v, outcome, urgent in stories)
    for screening in made:
        assert screening.origin == "import" and screening.origin_tool == batch.tool
        assert screening.status == "completed" and screening.questionnaire.code == code
        assert screening.organisation == border and screening.created_by == screener
        assert screening.completed_at.isoformat().startswith("2026-11-20")
    assert AuditEntry.objects.filter(action="screening.import").count() == len(stories)


def test_the_same_submissions_are_imported_once(border, screener, quick):
    stories, xlsx = quick
    raw = odk_central_csv(xlsx, [s[0] for s in stories])
    first = submissions_import(actor=screener, organisation=border, file_name="a.csv", raw=raw)
    again = submissions_import(actor=screener, organisation=border, file_name="a.csv", raw=raw)
    assert (first.created, again.created, again.duplicates) == (len(stories), 0, len(stories))
    # the JSON export of the same submissions is recognised too (the same instance ids)
    other = submissions_import(
        actor=screener,
        organisation=border,
        file_name="s.json",
        raw=odk_central_json(xlsx, [s[0] for s in stories]),
    )
    assert other.created == 0 and other.duplicates == len(stories)
    assert Screening.objects.filter(origin="import").count() == len(stories)


def test_a_file_that_does_not_fit_changes_nothing(border, screener, quick):
    stories, xlsx = quick
    values = [dict(s[0]) for s in stories]
    values[1]["danger_now"] = "perhaps"  # not an answer of the form
    values[2]["age__unknown"] = "known"
    values[2]["age"] = 300
    values[3]["veza_reference"] = "x" * 41
    raw = odk_central_csv(xlsx, values)
    with pytest.raises(ImportRejected) as info:
        submissions_import(actor=screener, organisation=border, file_name="a.csv", raw=raw)
    where = {(p.row, p.column) for p in info.value.rows}
    assert {(3, "danger_now"), (4, "age"), (5, "veza_reference")} <= where
    assert not Screening.objects.exists() and not SubmissionImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("a.csv", b"", "empty"),
        ("a.xlsx", b"PK\x03\x04", "CSV or JSON"),
        ("a.json", b"{not json", "valid JSON"),
        ("a.json", b'{"value": 3}', "list of submissions"),
        ("a.csv", "a,b\n1,2\n".encode("utf-16"), "UTF-16"),
        ("a.csv", b"start,end\n1,2\n", "not made with a form exported by Veza"),
    ],
)
def test_files_that_are_not_submissions_are_refused(border, screener, name, raw, message):
    with pytest.raises(ImportRejected) as info:
        submissions_import(actor=screener, organisation=border, file_name=name, raw=raw)
    assert message in str(info.value.fields)
    assert not Screening.objects.exists()


def test_a_submission_of_an_unknown_questionnaire_version_is_named(border, screener, quick):
    stories, xlsx = quick
    raw = kobo_json(xlsx, [s[0] for s in stories[:1]])
    raw = raw.replace(b'"veza_questionnaire_version": "1"', b'"veza_questionnaire_version": "9"')
    with pytest.raises(ImportRejected) as info:
        submissions_import(actor=screener, organisation=border, file_name="d.json", raw=raw)
    assert "no questionnaire quick version 9" in info.value.rows[0].message


def test_only_members_who_screen_may_import(border, screener, other_org, quick):
    stories, xlsx = quick
    raw = odk_central_csv(xlsx, [s[0] for s in stories])
    with pytest.raises(PermissionDeniedError):
        submissions_import(actor=screener, organisation=other_org, file_name="a.csv", raw=raw)
    coordinator = make_user(role="national_coordinator", organisation=border)
    with pytest.raises(PermissionDeniedError):
        submissions_import(actor=coordinator, organisation=border, file_name="a.csv", raw=raw)


def test_urgent_imports_are_announced_to_the_organisation(border, screener, quick):
    colleague = make_user(role="frontline_professional", organisation=border)
    stories, xlsx = quick
    submissions_import(
        actor=screener,
        organisation=border,
        file_name="a.csv",
        raw=odk_central_csv(xlsx, [s[0] for s in stories]),
    )
    assert Notification.objects.filter(user=colleague, kind="screening.imported").count() == 1
    assert not Notification.objects.filter(user=screener).exists()


def test_the_command_imports_with_progress(border, tmp_path, capsys, quick):
    stories, xlsx = quick
    path = tmp_path / "submissions.csv"
    path.write_bytes(odk_central_csv(xlsx, [s[0] for s in stories]))
    call_command("forms", "import", str(path), "--organisation", str(border.pk))
    captured = capsys.readouterr()
    assert f"Imported {len(stories)} screening(s)" in captured.out
    assert f"{len(stories)}/{len(stories)}" in captured.err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"value": [{"__id": "uuid:1"}]}))
    with pytest.raises(CommandError):
        call_command("forms", "import", str(bad), "--organisation", str(border.pk))


def test_the_page_imports_and_reports(client, border, screener, quick):
    login_verified(client, screener)
    stories, xlsx = quick
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("data.json", kobo_json(xlsx, [s[0] for s in stories]))
    response = client.post(reverse("fieldforms:index"), {"organisation": border.pk, "file": upload})
    batch = SubmissionImport.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "fieldforms:import", args=[batch.pk]
    )
    page = client.get(response.url).content.decode()
    assert "KoboToolbox" in page and batch.screenings.first().reference in page
    detail = client.get(reverse("screening:detail", args=[batch.screenings.first().pk]))
    assert "Recorded offline with KoboToolbox and imported" in detail.content.decode()
    values = [dict(s[0]) for s in stories]
    values[0]["danger_now"] = "perhaps"
    upload = SimpleUploadedFile("again.csv", odk_central_csv(xlsx, values, first=100))
    refused = client.post(reverse("fieldforms:index"), {"organisation": border.pk, "file": upload})
    assert refused.status_code == 400 and "danger_now" in refused.content.decode()
    assert SubmissionImport.objects.count() == 1
    # another organisation's member does not see the import
    other = make_user(role="frontline_professional", organisation=make_organisation("RS"))
    login_verified(client, other)
    assert client.get(reverse("fieldforms:import", args=[batch.pk])).status_code == 404


def test_urgent_imports_land_on_the_worklist_of_the_importing_organisation(
    client, border, screener, quick
):
    stories, xlsx = quick
    batch = submissions_import(
        actor=screener,
        organisation=border,
        file_name="a.csv",
        raw=odk_central_csv(xlsx, [s[0] for s in stories]),
    )
    to_act = [
        s
        for s in batch.screenings.all()
        if s.urgent or s.outcome in ("potential_victim", "presumed_victim")
    ]
    calm = [s for s in batch.screenings.all() if s not in to_act]
    assert to_act and calm
    login_verified(client, screener)
    page = client.get(reverse("referrals:worklist")).content.decode()
    assert all(s.reference in page for s in to_act)
    assert not any(s.reference in page for s in calm)
    other = make_user(role="frontline_professional", organisation=make_organisation("RS"))
    login_verified(client, other)
    page = client.get(reverse("referrals:worklist")).content.decode()
    assert not any(s.reference in page for s in to_act)


def test_the_demo_imports_quick_screens_for_the_police(db):
    from veza.core.demo import demo_steps

    for step in demo_steps():
        step.run()
    batch = SubmissionImport.objects.get()
    assert batch.tool == "odk_central" and batch.created == 6
    assert batch.organisation.sector == "police" and batch.organisation.participant.code == "RS"
    assert set(batch.screenings.values_list("origin", "is_demo")) == {("import", True)}


def test_a_failure_in_the_middle_of_an_import_leaves_nothing_half_written(
    border, screener, quick, monkeypatch
):
    """The third submission's screening fails to be written: the two before it, the import's
    record, its notices and its audit entries are all rolled back."""
    from django.db import IntegrityError

    from veza.fieldforms import services

    stories, xlsx = quick
    raw = odk_central_csv(xlsx, [s[0] for s in stories])
    real, written = services.screening_import, []

    def fails_third(**kwargs):
        if len(written) == 2:
            raise IntegrityError("the database refused the third screening")
        written.append(real(**kwargs))
        return written[-1]

    monkeypatch.setattr(services, "screening_import", fails_third)
    before = AuditEntry.objects.count()
    with pytest.raises(IntegrityError):
        submissions_import(actor=screener, organisation=border, file_name="a.csv", raw=raw)
    assert len(written) == 2
    assert not Screening.objects.exists() and not SubmissionImport.objects.exists()
    assert not Notification.objects.exists() and AuditEntry.objects.count() == before
    monkeypatch.setattr(services, "screening_import", real)
    batch = submissions_import(actor=screener, organisation=border, file_name="a.csv", raw=raw)
    assert batch.created == len(stories)
