"""Uploads (SECURITY.md row 19): every upload form and the API refuse a renamed program, content
that is not what the name says and an oversize file, before any importer reads them; requests
larger than the cap are refused before Django reads them."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from tests.factories import login_verified, make_organisation, make_user, xlsx_bytes
from veza.core.models import AuditEntry
from veza.federation.pages import CardForm
from veza.fieldforms.forms import ImportForm as SubmissionsForm
from veza.indicators.forms import ImportForm as ContentForm
from veza.recommendations.api.serializers import ImportUploadSerializer
from veza.recommendations.forms import ImportForm as RecommendationsForm
from veza.recommendations.models import Recommendation
from veza.screening.models import Screening
from veza.statistics.exchange_views import ArchiveForm, DefineForm, UploadForm

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
LINUX_PROGRAM = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
SCRIPT = b"#!/bin/sh\nrm -rf /\n"


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", "{}")
    return buffer.getvalue()


#: Each upload form: how to build it, its file field, the name of a good file and its content.
FORMS = {
    "indicator content": (lambda d, f: ContentForm(d, f), "file", "set.yaml", b"id: x\n"),
    "indicator workbook": (lambda d, f: ContentForm(d, f), "file", "set.xlsx", xlsx_bytes()),
    "peer card": (lambda d, f: CardForm(d, f, prefix="card"), "card-card", "p.json", b"{}"),
    "SDMX structure": (lambda d, f: DefineForm(d, f), "file", "dsd.xml", b"<?xml ?><x/>"),
    "dataflow table": (lambda d, f: UploadForm(d, f), "file", "t.csv", b"A,OBS_VALUE\n"),
    "release archive": (lambda d, f: ArchiveForm(d, f), "file", "r.zip", zip_bytes()),
    "submissions": (
        lambda d, f: SubmissionsForm(d, f, organisations=[]),
        "file",
        "s.json",
        b"[]",
    ),
    "recommendations": (
        lambda d, f: RecommendationsForm(d, f, participants=[]),
        "file",
        "r.xlsx",
        xlsx_bytes(),
    ),
}


def file_errors(name, file_name, content):
    build, field, _good_name, _good = FORMS[name]
    form = build({}, {field: SimpleUploadedFile(file_name, content)})
    form.is_valid()
    key = field.removeprefix("card-")
    return [str(e) for e in form.errors.get(key, [])]


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
def test_a_good_file_passes_the_upload_checks(name):
    _build, _field, good_name, good = FORMS[name]
    assert file_errors(name, good_name, good) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize(
    "program", [WINDOWS_PROGRAM, LINUX_PROGRAM, SCRIPT], ids=["pe", "elf", "sh"]
)
def test_a_renamed_program_is_refused_by_every_upload_form(name, program):
    _build, _field, good_name, _good = FORMS[name]
    errors = file_errors(name, good_name, program)
    assert errors == ["The file is a program, not a data file. Nothing was read."], errors


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
def test_content_that_is_not_what_the_name_says_is_refused(name):
    _build, _field, good_name, good = FORMS[name]
    other = b"just some text,\nnot a workbook\n" if good.startswith(b"PK") else zip_bytes()
    errors = file_errors(name, good_name, other)
    assert errors == ["The file's content is not what its name says. Nothing was read."]


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
def test_an_oversize_file_is_refused_by_every_upload_form(name):
    _build, _field, good_name, good = FORMS[name]
    oversize = good + b" " * (20 * 1024 * 1024 + 1)
    errors = file_errors(name, good_name, oversize)
    assert len(errors) == 1 and errors[0].startswith("The file is larger than"), errors


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
def test_a_name_of_another_type_is_refused(name):
    _build, _field, _good_name, good = FORMS[name]
    errors = file_errors(name, "setup.exe", good)
    assert len(errors) == 1 and errors[0].startswith("Upload a file of one of these types")


@pytest.mark.django_db
def test_the_api_upload_is_checked_the_same_way():
    for content, expected in (
        (WINDOWS_PROGRAM, "a program"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ):
        serializer = ImportUploadSerializer(data={"file": SimpleUploadedFile("r.csv", content)})
        assert not serializer.is_valid()
        assert expected in str(serializer.errors["file"][0])


@pytest.mark.django_db
def test_a_renamed_program_posted_to_a_page_changes_nothing(client):
    organisation = make_organisation("RS", sector="police")
    login_verified(client, make_user(role="frontline_professional", organisation=organisation))
    before = AuditEntry.objects.count()
    response = client.post(
        "/forms/",
        {"organisation": organisation.pk, "file": SimpleUploadedFile("odk.csv", WINDOWS_PROGRAM)},
    )
    assert response.status_code == 400
    assert "a program, not a data file" in response.content.decode()
    assert not Screening.objects.exists() and AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_a_renamed_program_sent_to_the_api_changes_nothing(client):
    organisation = make_organisation("RS", sector="national_coordinator")
    policy = make_user(role="policy_officer", organisation=organisation)
    login_verified(client, policy)
    response = client.post(
        "/api/v1/recommendations/import/",
        {"file": SimpleUploadedFile("r.xlsx", WINDOWS_PROGRAM)},
    )
    assert response.status_code == 400, response.content
    assert "a program" in response.content.decode()
    assert not Recommendation.objects.exists()


@pytest.mark.django_db
@override_settings(VEZA_MAX_REQUEST_BYTES=1024)
def test_a_request_over_the_cap_is_refused_before_it_is_read(client):
    login_verified(client, make_user(role="policy_officer", organisation=make_organisation("RS")))

    def big():
        return {"file": SimpleUploadedFile("r.csv", b"a,b\n" * 1000)}

    page = client.post("/recommendations/import/", big())
    assert page.status_code == 413 and "too large" in page.content.decode()
    api = client.post("/api/v1/recommendations/import/", big())
    assert api.status_code == 413 and api.json()["code"] == "too_large"
