"""Any aggregate dataflow: defined from SDMX-ML, a participant's table uploaded (CSV, XLSX,
SDMX-CSV), checked, protected, signed, approved and received by the hub; the hub's pages."""

import csv
import io
import json
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

import veza
from tests.factories import current_code, login_verified, make_organisation, make_user
from veza.core.models import AuditEntry
from veza.statistics.dataflows import DataflowError, read_definitions, read_table
from veza.statistics.exchange import dataflow_define
from veza.statistics.models import Dataflow, ImportBatch, Observation, Release
from veza.statistics.release import audit_release

pytestmark = pytest.mark.django_db

STRUCTURE = Path(veza.__file__).parent / "data/statistics/dataflows/migration.xml"
YEAR = 2024


def _csv(rows, header=("CITIZENSHIP", "SEX", "AGE", "TIME_PERIOD", "OBS_VALUE")) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _arrivals_rows():
    """Two months; a few small counts among bigger ones."""
    rows = []
    for month, scale in (("01", 1), ("02", 2)):
        for origin, base in (("AF", 30), ("SY", 12), ("MA", 3)):
            for sex in ("F", "M"):
                for age in ("Y0T13", "Y18T34"):
                    value = base * scale + (7 if sex == "M" else 0) - (2 if age == "Y0T13" else 0)
                    rows.append((origin, sex, age, f"{YEAR}-{month}", max(value, 0)))
    return rows


@pytest.fixture(autouse=True)
def _own_data_dir(settings, tmp_path):
    """Files of releases in this test's own folder (other workers write theirs meanwhile)."""
    settings.VEZA_DATA_DIR = tmp_path


@pytest.fixture
def arrivals():
    (flow,) = dataflow_define(
        actor="test", raw=STRUCTURE.read_bytes(), frequency="M", only="IRREGULAR_ARRIVALS"
    )
    return flow


@pytest.fixture
def coordinator():
    return make_user("df-coord", role="national_coordinator", organisation=make_organisation("RS"))


@pytest.fixture
def analyst():
    return make_user("df-analyst", role="regional_analyst", organisation=make_organisation("HUB"))


def test_the_structure_file_defines_both_dataflows_with_their_code_lists():
    flows = {d.code: d for d in read_definitions(STRUCTURE.read_bytes())}
    assert set(flows) == {"IRREGULAR_ARRIVALS", "ASYLUM_APPLICATIONS"}
    arrivals = flows["IRREGULAR_ARRIVALS"]
    assert arrivals.dimensions == ["CITIZENSHIP", "SEX", "AGE"]  # REF_AREA, FREQ, TIME left out
    assert "AF" in arrivals.codes["CITIZENSHIP"] and arrivals.code_names["SEX"]["F"] == "Female"
    with pytest.raises(DataflowError):
        read_definitions(b"<not-sdmx/>")


def test_define_on_the_command_line_and_list(capsys):
    call_command("hub", "define-dataflow", str(STRUCTURE), "--only", "ASYLUM_APPLICATIONS")
    call_command("hub", "dataflows")
    out = capsys.readouterr().out
    assert "Defined ASYLUM_APPLICATIONS" in out and "CITIZENSHIP x SEX x ASYLUM_DECISION" in out
    with pytest.raises(CommandError, match="no dataflow NOPE"):
        call_command("hub", "define-dataflow", str(STRUCTURE), "--only", "NOPE")
    assert Dataflow.objects.count() == 1
    assert AuditEntry.objects.filter(action="dataflow.define").count() == 1


def test_tables_are_read_from_csv_xlsx_and_sdmx_csv_alike(arrivals):
    from openpyxl import Workbook

    from veza.statistics.exchange import _definition

    definition = _definition(arrivals)
    rows = _arrivals_rows()
    args = {"frequency": "M", "participant": "RS", "year": YEAR}
    from_csv = read_table(definition, file_name="a.csv", raw=_csv(rows), **args)
    book = Workbook()
    book.active.append(["CITIZENSHIP", "SEX", "AGE", "TIME_PERIOD", "OBS_VALUE"])
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = read_table(definition, file_name="a.xlsx", raw=buffer.getvalue(), **args)
    sdmx_rows = [
        ("dataflow", "VEZA:DF_IRREGULAR_ARRIVALS(1.0)", "I", "RS", p, c, s, a, v)
        for c, s, a, p, v in rows
    ]
    header = ("STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "TIME_PERIOD")
    header += ("CITIZENSHIP", "SEX", "AGE", "OBS_VALUE")
    from_sdmx = read_table(definition, file_name="a.csv", raw=_csv(sdmx_rows, header), **args)
    assert from_csv == from_xlsx == from_sdmx
    assert set(from_csv) == {f"{YEAR}-01", f"{YEAR}-02"}
    # A right total is accepted, "2024-M01" is read as 2024-01.
    total = sum(v for c, _s, _a, p, v in rows if c == "AF" and p == f"{YEAR}-01")
    with_total = [*rows, ("AF", "_T", "_T", f"{YEAR}-M01", total)]
    assert read_table(definition, file_name="a.csv", raw=_csv(with_total), **args) == from_csv


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("XX", "F", "Y0T13", f"{YEAR}-01", 4), "XX is not a code of CITIZENSHIP"),
        (("AF", "F", "Y0T13", f"{YEAR - 1}-01", 4), "is not in 2024"),
        (("AF", "F", "Y0T13", f"{YEAR}-01", -1), "whole number"),
        (("AF", "F", "Y0T13", f"{YEAR}-01", "3.5"), "whole number"),
        (("AF", "F", "Y0T13", f"{YEAR}-01", 28), "repeats row 2"),
        (("AF", "_T", "_T", f"{YEAR}-01", 1), "is not the sum of its rows"),
    ],
)
def test_a_wrong_row_is_reported_with_its_number(arrivals, row, message):
    from veza.statistics.exchange import _definition

    raw = _csv([*_arrivals_rows(), row])
    with pytest.raises(DataflowError) as caught:
        read_table(
            _definition(arrivals),
            frequency="M",
            participant="RS",
            year=YEAR,
            file_name="a.csv",
            raw=raw,
        )
    assert any(message in p for p in caught.value.problems), caught.value.problems
    assert any(p.startswith("row ") for p in caught.value.problems)


def test_missing_columns_and_another_participant_are_refused(arrivals):
    from veza.statistics.exchange import _definition

    definition = _definition(arrivals)
    args = {"frequency": "M", "participant": "RS", "year": YEAR, "file_name": "a.csv"}
    with pytest.raises(DataflowError, match="Columns missing: AGE"):
        read_table(
            definition, raw=b"CITIZENSHIP,SEX,TIME_PERIOD,OBS_VALUE\nAF,F,2024-01,3\n", **args
        )
    with pytest.raises(DataflowError, match="REF_AREA AL is not RS"):
        read_table(
            definition,
            raw=b"REF_AREA,CITIZENSHIP,SEX,AGE,TIME_PERIOD,OBS_VALUE\nAL,AF,F,Y0T13,2024-01,3\n",
            **args,
        )


def _upload(client, flow, raw, name="arrivals.csv"):
    return client.post(
        "/statistics/dataflows/upload/",
        {"dataflow": flow.pk, "year": YEAR, "file": _file(raw, name)},
    )


def _file(raw, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, raw)


def test_upload_review_approve_send_and_see_it_at_the_hub(client, arrivals, coordinator, analyst):
    login_verified(client, coordinator)
    outgoing = Path(settings.VEZA_DATA_DIR) / "releases/outgoing"
    before = set(outgoing.iterdir()) if outgoing.exists() else set()
    bad = _upload(client, arrivals, _csv([("ZZ", "F", "Y0T13", f"{YEAR}-01", 9)]))
    assert bad.status_code == 400 and "ZZ is not a code of CITIZENSHIP" in bad.content.decode()
    assert not Release.objects.exists()
    assert (set(outgoing.iterdir()) if outgoing.exists() else set()) == before
    response = _upload(client, arrivals, _csv(_arrivals_rows()))
    release = Release.objects.get()
    assert response.status_code == 302 and release.dataflow == arrivals
    directory = Path(release.directory)
    assert audit_release(directory) == ([], {})
    page = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "Irregular arrivals" in page
    # Small counts withheld: MA's 1 in January (3 - 2) never leaves the instance.
    published = list(csv.DictReader((directory / "IRREGULAR_ARRIVALS.csv").open()))
    cell = next(
        r
        for r in published
        if (r["TIME_PERIOD"], r["CITIZENSHIP"], r["SEX"], r["AGE"])
        == (f"{YEAR}-01", "MA", "F", "Y0T13")
    )
    assert cell["OBS_VALUE"] == "" and cell["CONF_STATUS"] == "C"
    client.post(f"/statistics/releases/{release.pk}/", {"code": current_code(coordinator, 1)})
    client.post(f"/statistics/releases/{release.pk}/", {"action": "send"})
    release.refresh_from_db()
    assert release.status == "sent"
    batch = ImportBatch.objects.get(source="dataflow:IRREGULAR_ARRIVALS")
    assert (batch.participant, batch.year, batch.revision) == ("RS", YEAR, 1)
    assert Observation.objects.filter(batch=batch, value__isnull=True, flag="C").exists()
    # The hub: list, series page with a chart, filters and downloads.
    login_verified(client, analyst)
    listing = client.get("/hub/dataflows/").content.decode()
    assert "Irregular arrivals by citizenship, sex and age group" in listing and "RS" in listing
    page = client.get("/hub/dataflows/IRREGULAR_ARRIVALS/").content.decode()
    assert "<svg" in page and f"{YEAR}-02" in page
    total_jan = sum(v for *_k, p, v in _arrivals_rows() if p == f"{YEAR}-01")
    assert f">{total_jan}<" in page
    filtered = client.get("/hub/dataflows/IRREGULAR_ARRIVALS/?CITIZENSHIP=AF&SEX=F")
    assert filtered.status_code == 200
    download = client.get("/hub/dataflows/IRREGULAR_ARRIVALS/?CITIZENSHIP=MA&SEX=F&format=csv")
    lines = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert lines and {line["CITIZENSHIP"] for line in lines} == {"MA"}
    assert all(line["OBS_VALUE"] == "" for line in lines if line["CONF_STATUS"] == "C")
    sdmx = client.get("/hub/dataflows/IRREGULAR_ARRIVALS/?format=sdmx").content.decode()
    assert sdmx.startswith("STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA")
    xlsx = client.get("/hub/dataflows/IRREGULAR_ARRIVALS/?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get("/hub/dataflows/NOPE/").status_code == 404


def _approved_release(client, flow, coordinator):
    login_verified(client, coordinator)
    _upload(client, flow, _csv(_arrivals_rows()))
    release = Release.objects.latest("pk")
    client.post(f"/statistics/releases/{release.pk}/", {"code": current_code(coordinator, 1)})
    release.refresh_from_db()
    assert release.status == "approved"
    return release


def test_an_archive_carries_a_release_to_another_hub(client, arrivals, coordinator, analyst):
    release = _approved_release(client, arrivals, coordinator)
    # In a session without a fresh second factor the archive asks for a code first.
    client.logout()
    login_verified(client, coordinator)
    asked = client.post(f"/statistics/releases/{release.pk}/archive/")
    assert asked.status_code == 403 and 'name="step_up-code"' in asked.content.decode()
    assert not AuditEntry.objects.filter(action="release.download").exists()
    with time_machine.travel(time.time() + 60, tick=False):  # the next code, not the one used
        archive = client.post(
            f"/statistics/releases/{release.pk}/archive/",
            {"step_up-code": current_code(coordinator)},
        )
    assert archive.status_code == 200 and archive["Content-Type"] == "application/zip"
    assert AuditEntry.objects.filter(action="release.download").count() == 1
    raw = archive.content
    login_verified(client, analyst)
    assert client.post(f"/statistics/releases/{release.pk}/archive/").status_code == 403
    first = client.post("/hub/received/", {"file": _file(raw, "r.zip")})
    assert first.status_code == 302
    again = client.post("/hub/received/", {"file": _file(raw, "r.zip")})
    assert again.status_code == 302
    revisions = ImportBatch.objects.filter(source="dataflow:IRREGULAR_ARRIVALS")
    assert sorted(revisions.values_list("revision", flat=True)) == [1, 2]
    page = client.get("/hub/received/").content.decode()
    assert "revised" in page and "IRREGULAR_ARRIVALS" in page
    # The coordinator may not use the hub's inbox.
    login_verified(client, coordinator)
    assert client.get("/hub/received/").status_code == 403


def _rezip(raw: bytes, change) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(raw))
    files = {name: source.read(name) for name in source.namelist()}
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
    return buffer.getvalue()


def _tamper_value(files):
    text = files["IRREGULAR_ARRIVALS.csv"].decode()
    files["IRREGULAR_ARRIVALS.csv"] = text.replace(",,C\n", ",1,F\n", 1).encode()


def _resign_with_another_key(files):
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    manifest = json.loads(files["manifest.json"])
    manifest["public_key"] = base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()
    body = json.dumps(manifest, sort_keys=True, indent=2).encode()
    files["manifest.json"] = body
    files["manifest.sig"] = base64.b64encode(key.sign(body))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_tamper_value, "does not match its checksum"),
        (lambda files: files.update({"../evil.csv": b"x"}), "not a Veza release archive"),
        (lambda files: files.pop("manifest.sig"), "not a Veza release archive"),
        (_resign_with_another_key, "signed with a key the hub does not know"),
    ],
)
def test_a_wrong_archive_is_refused_and_nothing_is_kept(
    client, arrivals, coordinator, analyst, change, message
):
    release = _approved_release(client, arrivals, coordinator)
    raw = client.post(f"/statistics/releases/{release.pk}/archive/").content
    login_verified(client, analyst)
    client.post("/hub/received/", {"file": _file(raw, "r.zip")})  # the key is now known
    assert ImportBatch.objects.count() == 1
    incoming = Path(settings.VEZA_DATA_DIR) / "releases/incoming"
    kept = set(incoming.iterdir())
    refused = client.post("/hub/received/", {"file": _file(_rezip(raw, change), "r.zip")})
    assert refused.status_code == 400 and message in refused.content.decode()
    assert ImportBatch.objects.count() == 1 and set(incoming.iterdir()) == kept
    garbage = client.post("/hub/received/", {"file": _file(b"not a zip", "r.zip")})
    assert garbage.status_code == 400 and ImportBatch.objects.count() == 1


def test_the_hub_refuses_a_dataflow_it_does_not_know(client, arrivals, coordinator, analyst):
    release = _approved_release(client, arrivals, coordinator)
    raw = client.post(f"/statistics/releases/{release.pk}/archive/").content
    release.delete()
    arrivals.delete()
    login_verified(client, analyst)
    refused = client.post("/hub/received/", {"file": _file(raw, "r.zip")})
    assert refused.status_code == 400 and "does not know the dataflow" in refused.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_administrator_defines_dataflows_on_the_page(client, admin_user, analyst):
    login_verified(client, admin_user)
    bad = client.post(
        "/hub/dataflows/",
        {"file": _file(b"<x/>", "s.xml"), "frequency": "A", "threshold": 5},
    )
    assert bad.status_code == 400 and "not a readable SDMX-ML structure" in bad.content.decode()
    good = client.post(
        "/hub/dataflows/",
        {"file": _file(STRUCTURE.read_bytes(), "s.xml"), "frequency": "A", "threshold": 10},
    )
    assert good.status_code == 302
    assert set(Dataflow.objects.values_list("threshold", flat=True)) == {10}
    # The analyst reads, but does not define.
    login_verified(client, analyst)
    page = client.get("/hub/dataflows/").content.decode()
    assert "Asylum applications" in page and 'type="file"' not in page
    assert (
        client.post(
            "/hub/dataflows/",
            {"file": _file(STRUCTURE.read_bytes(), "s.xml"), "frequency": "A", "threshold": 5},
        ).status_code
        == 403
    )


def test_a_code_in_use_cannot_disappear(arrivals):
    from veza.core.errors import ValidationError
    from veza.statistics.dataflows import build_dataflow_release
    from veza.statistics.exchange import _definition
    from veza.statistics.hub import release_receive

    out = Path(settings.VEZA_DATA_DIR) / "releases/test-in-use"
    build_dataflow_release(
        _definition(arrivals),
        frequency="M",
        participant="RS",
        year=YEAR,
        counts={f"{YEAR}-01": {("AF", "F", "Y0T13"): 12, ("AF", "M", "Y0T13"): 20}},
        out=out,
    )
    release_receive(actor="test", directory=out)
    shrunk = STRUCTURE.read_bytes().replace(b'<str:Code id="AF">', b'<str:Code id="AFX">')
    with pytest.raises(ValidationError) as caught:
        dataflow_define(actor="test", raw=shrunk, frequency="M", only="IRREGULAR_ARRIVALS")
    assert "AF" in str(caught.value.fields)
    assert "AF" in Dataflow.objects.get().codes["CITIZENSHIP"]


def test_the_series_command_reads_the_latest_revision_of_a_dataflow(arrivals, capsys):
    from veza.statistics.dataflows import build_dataflow_release
    from veza.statistics.exchange import _definition
    from veza.statistics.hub import release_receive

    for revision, value in ((1, 20), (2, 30)):
        out = Path(settings.VEZA_DATA_DIR) / f"releases/series-{revision}"
        build_dataflow_release(
            _definition(arrivals),
            frequency="M",
            participant="RS",
            year=YEAR,
            counts={
                f"{YEAR}-01": {("AF", "F", "Y0T13"): value, ("AF", "M", "Y0T13"): 12},
                f"{YEAR}-02": {("AF", "F", "Y0T13"): 2, ("AF", "M", "Y0T13"): 12},
            },
            out=out,
        )
        release_receive(actor="test", directory=out)
    call_command(
        "hub", "series", "--source", "dataflow", "--area", "RS",
        "--measure", "IRREGULAR_ARRIVALS", "--dim", "SEX=F",
    )  # fmt: skip
    assert capsys.readouterr().out == f"period,value,flag\n{YEAR}-01,30,\n{YEAR}-02,,C\n"
    with pytest.raises(CommandError, match="DIMENSION=CODE"):
        call_command(
            "hub", "series", "--source", "dataflow", "--area", "RS",
            "--measure", "IRREGULAR_ARRIVALS", "--dim", "SEX",
        )  # fmt: skip
