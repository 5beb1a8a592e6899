"""A national release: protected tables, SDMX-CSV, a signed manifest, and its audit."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_case, make_organisation, make_user
from veza.cases.services import identity_write
from veza.statistics.release import audit_release, build_release, extract

pytestmark = pytest.mark.django_db

YEAR = timezone.now().year


@pytest.fixture
def cases():
    org = make_organisation("RS", sector="social_welfare")
    manager = make_user("rel-manager", role="case_manager", organisation=org)
    made = []
    for n in range(23):
        case = make_case(
            org,
            user=manager,
            sex=("female", "male")[n % 2],
            age=15 + n,
            citizenship=("RS", "RS", "UA", "AL")[n % 4],
            exploitation=[("sexual_exploitation", "forced_labour")[n % 2]],
        )
        made.append(case)
    identity_write(actor=manager, case=made[0], given_names="Secret", family_name="Name")
    return made


def test_the_extract_never_reads_identity(cases):
    with CaptureQueriesContext(connection) as queries:
        frame, _referrals = extract("RS", YEAR)
    assert frame.height == 23
    assert not any("cases_identity" in q["sql"] for q in queries.captured_queries)
    assert "Secret" not in str(frame.to_dicts())


def test_release_is_protected_signed_and_passes_its_audit(cases, tmp_path, capsys):
    call_command(
        "stats", "release", "--participant", "RS", "--year", str(YEAR), "--out", str(tmp_path)
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert {t["id"] for t in manifest["tables"]} >= {"VICTIMS_SEX_AGE", "VICTIMS_CITIZENSHIP"}
    rows = (tmp_path / "VICTIMS_SEX_AGE.csv").read_text().splitlines()
    assert rows[0].startswith("STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,TIME_PERIOD,SEX,AGE")
    assert any(line.endswith(",,C") for line in rows[1:]), "small cells carry a status, no value"
    assert all(
        not line.split(",")[-2] or int(line.split(",")[-2]) == 0 or int(line.split(",")[-2]) >= 5
        for line in rows[1:]
    )
    call_command("stats", "audit", str(tmp_path))
    assert "Release audit OK" in capsys.readouterr().out


def test_a_tampered_file_or_signature_fails_the_audit(cases, tmp_path):
    build_release("RS", YEAR, tmp_path)
    path = tmp_path / "VICTIMS_CITIZENSHIP.csv"
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[-2], fields[-1] = "999", "F"
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    problems, _unsafe = audit_release(tmp_path)
    assert any("checksum" in p for p in problems)
    with pytest.raises(CommandError, match="not safe"):
        call_command("stats", "audit", str(tmp_path))


def test_the_attacker_cannot_recover_withheld_cells_but_could_without_secondary_suppression(
    cases, tmp_path
):
    built = build_release("RS", YEAR, tmp_path)
    problems, unsafe = audit_release(tmp_path)
    assert problems == [] and unsafe == {}
    # A naive release of the same tables, with the small cells alone withheld, leaks.
    from veza.statistics.disclosure import audit, relations
    from veza.statistics.release import _table, spec

    cases_frame, _refs = extract("RS", YEAR)
    leaks = 0
    for table_spec in spec()["tables"]:
        if table_spec["dimensions"][0] == "SERVICE":
            continue
        table = _table(cases_frame, table_spec["dimensions"], spec()["codes"])
        naive = {k: (None if 0 < v < 5 else v) for k, v in table.cells.items()}
        leaks += len(audit(naive, relations(table), width=5))
    assert leaks > 0
    assert built.manifest["threshold"] == 5


def test_a_release_without_cases_is_refused_and_writes_nothing(tmp_path):
    with pytest.raises(CommandError, match="nothing to release"):
        call_command(
            "stats",
            "release",
            "--participant",
            "ME",
            "--year",
            "1999",
            "--out",
            str(tmp_path / "out"),
        )
    assert not (tmp_path / "out").exists()


def test_the_hub_receives_a_release_keeps_revisions_and_shows_it_beside_glotip(
    cases, tmp_path, client, capsys
):
    from pathlib import Path

    from tests.factories import login_verified
    from veza.statistics.models import ImportBatch

    build_release("RS", YEAR, tmp_path / "v1")
    call_command("hub", "receive", str(tmp_path / "v1"))
    build_release("RS", YEAR, tmp_path / "v2")
    call_command("hub", "receive", str(tmp_path / "v2"))
    assert "revision 2" in capsys.readouterr().out
    assert ImportBatch.objects.filter(source="release").count() == 2
    call_command("hub", "import-glotip", str(Path(__file__).parent / "fixtures/glotip_small.xlsx"))
    analyst = make_user("analyst", role="regional_analyst", organisation=make_organisation("HUB"))
    login_verified(client, analyst)
    page = client.get("/hub/trends/").content.decode()
    assert "<svg" in page and "RS (Veza)" in page and "RS (GLOTIP)" in page
    assert "23" in page  # the release's total for the year
    csv_text = client.get("/hub/trends/?format=csv").content.decode()
    assert f"Veza,RS,{YEAR},23," in csv_text and "GLOTIP,RS,2022,52," in csv_text
    # The report counts the withheld values of the latest revision only, not of every revision.
    from veza.statistics.models import Observation
    from veza.statistics.report import report_context

    latest = ImportBatch.objects.get(source="release", revision=2)
    withheld = Observation.objects.filter(batch=latest, value__isnull=True).count()
    assert withheld and report_context(YEAR)["withheld_release"] == withheld


def test_the_hub_refuses_a_tampered_release_and_stores_nothing(cases, tmp_path):
    from veza.statistics.models import ImportBatch

    build_release("RS", YEAR, tmp_path)
    (tmp_path / "manifest.sig").write_text("AAAA")
    with pytest.raises(CommandError, match="signature"):
        call_command("hub", "receive", str(tmp_path))
    assert not ImportBatch.objects.exists()


def test_time_from_referral_to_assistance_is_released_in_bands(cases, tmp_path):
    import csv
    from datetime import timedelta

    from veza.cases.services import consent_record
    from veza.referrals.models import Referral
    from veza.referrals.services import referral_accept, referral_send
    from veza.statistics.release import _days_to_assistance

    now = timezone.now()
    assert _days_to_assistance("accepted", now, now) == "D0"
    assert _days_to_assistance("completed", now - timedelta(days=5), now) == "D3T7"
    assert _days_to_assistance("in_progress", now - timedelta(days=45), now) == "D_GT30"
    assert _days_to_assistance("sent", now, None) == "PENDING"
    assert _days_to_assistance("declined", now, now) == "NONE"

    from tests.factories import make_service

    shelter = make_organisation("RS", name="Shelter (rel)", sector="shelter_protection")
    service = make_service(shelter, "shelter")
    worker = make_user("rel-worker", role="service_provider", organisation=shelter)
    manager = cases[0].created_by
    for case in cases[:7]:
        consent_record(
            actor=manager,
            case=case,
            purpose="referral",
            recipient=shelter,
            information_version="info-2026-1",
        )
        referral = referral_send(
            actor=manager, case=case, service=service, reason="Bed", urgency="urgent"
        )
        referral_accept(actor=worker, referral=referral)
    # One acceptance took ten days: it must land in D8T30 (and then be withheld as a small cell).
    late = Referral.objects.order_by("pk").first()
    Referral.objects.filter(pk=late.pk).update(responded_at=late.created_at + timedelta(days=10))
    build_release("RS", YEAR, tmp_path)
    rows = list(csv.DictReader((tmp_path / "REFERRALS_TIME_TO_ASSISTANCE.csv").open()))
    cell = {(r["SERVICE"], r["DAYS_TO_ASSISTANCE"]): r for r in rows}
    # 6 the same day and 1 late, total 7: publishing the 6 would give the 1 away, so it is
    # withheld as well (secondary suppression); the total stays.
    assert cell[("shelter", "D0")]["CONF_STATUS"] == "C"
    assert (
        cell[("shelter", "D8T30")]["OBS_VALUE"] == ""
        and cell[("shelter", "D8T30")]["CONF_STATUS"] == "C"
    )
    assert cell[("_T", "_T")]["OBS_VALUE"] == "7"
    problems, unsafe = audit_release(tmp_path)
    assert not problems and not unsafe


def test_the_sdmx_ml_structure_describes_every_table_and_an_unknown_code_is_refused(
    cases, tmp_path
):
    import base64
    import hashlib

    import sdmx

    from veza.statistics.release import signing_key
    from veza.statistics.structure import read_structure

    build_release("RS", YEAR, tmp_path)
    message = sdmx.read_sdmx(tmp_path / "structure.xml")
    assert set(message.dataflow) >= {"DF_VICTIMS_SEX_AGE", "DF_VICTIMS_CITIZENSHIP"}
    assert {c.id for c in message.codelist["CL_SEX"]} >= {"F", "M", "_U", "_T"}
    assert {c.id for c in message.codelist["CL_CITIZENSHIP"]} >= {"RS", "UA", "AL", "_T"}
    allowed = read_structure((tmp_path / "structure.xml").read_bytes())
    assert set(allowed["VICTIMS_SEX_AGE"]) == {"REF_AREA", "SEX", "AGE"}

    # A release whose data uses a code its structure does not declare fails the audit, even
    # when re-signed (a participant's own software could produce it by mistake).
    path = tmp_path / "VICTIMS_SEX_AGE.csv"
    path.write_text(path.read_text().replace(",F,", ",X,", 1))
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["files"]["VICTIMS_SEX_AGE.csv"] = hashlib.sha256(path.read_bytes()).hexdigest()
    body = json.dumps(manifest, sort_keys=True, indent=2).encode()
    (tmp_path / "manifest.json").write_bytes(body)
    (tmp_path / "manifest.sig").write_text(base64.b64encode(signing_key().sign(body)).decode())
    problems, _unsafe = audit_release(tmp_path)
    assert any("code X is not in the code list of SEX" in p for p in problems)
    from veza.statistics.models import ImportBatch

    with pytest.raises(CommandError, match="code X"):
        call_command("hub", "receive", str(tmp_path))
    assert not ImportBatch.objects.exists()
