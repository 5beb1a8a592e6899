"""Importing the UNODC GLOTIP export: "<5" kept withheld, conflicts reported, all-or-nothing."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from veza.statistics.glotip import read_glotip
from veza.statistics.models import ImportBatch, Observation

FIXTURE = Path(__file__).parent / "fixtures/glotip_small.xlsx"
REAL = Path(__file__).resolve().parents[3] / "shared/data/unodc-glotip/data_glotip.xlsx"


def test_small_values_are_withheld_and_conflicts_reported():
    reading = read_glotip(FIXTURE.read_bytes())
    assert reading.rows_read == 11
    by_key = {
        (o.area, o.year, o.sex, o.age, o.exploitation, o.breakdown, o.label): o
        for o in reading.observations.values()
    }
    boys = by_key[("RS", 2022, "M", "Y0T17", "_T", "_T", "")]
    assert boys.value is None and boys.flag == "<5"
    other = by_key[("RS", 2022, "_T", "_T", "OTHER", "_T", "")]
    assert other.value is None and other.flag == "conflict"
    assert [c["values"] for c in reading.conflicts] == [[8, 7]]
    assert by_key[("AL", 2022, "_T", "_T", "_T", "_T", "")].value == 1120  # "1,120"
    assert by_key[("AL", 2021, "_T", "_T", "_T", "_T", "")].flag == "<5"  # same twice: no conflict
    bosnia = by_key[("RS", 2022, "_T", "_T", "_T", "CITIZENSHIP", "Bosnia and Herzegovina")]
    assert bosnia.category == "BA" and bosnia.flag == "<5"


@pytest.mark.django_db
def test_import_and_series_through_the_command(capsys):
    call_command("hub", "import-glotip", str(FIXTURE))
    out = capsys.readouterr().out
    assert "rows read: 11" in out and "conflicts: 1" in out and "conflict RS 2022" in out
    call_command("hub", "series", "--area", "RS", "--measure", "detected_victims")
    assert capsys.readouterr().out.splitlines() == ["year,value,flag", "2021,40,", "2022,52,"]
    call_command(
        "hub",
        "series",
        "--area",
        "RS",
        "--measure",
        "detected_victims",
        "--sex",
        "M",
        "--age",
        "Y0T17",
    )
    assert capsys.readouterr().out.splitlines() == ["year,value,flag", "2022,,<5"]
    call_command(
        "hub", "series", "--area", "RS", "--measure", "detected_victims", "--exploitation", "OTHER"
    )
    assert capsys.readouterr().out.splitlines() == ["year,value,flag", "2022,,conflict"]


@pytest.mark.django_db
def test_a_bad_file_changes_nothing(tmp_path):
    call_command("hub", "import-glotip", str(FIXTURE))
    before = Observation.objects.count()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="not a readable XLSX"):
        call_command("hub", "import-glotip", str(bad))
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Iso3_code", "Country", "Indicator"])
    short = tmp_path / "short.xlsx"
    book.save(short)
    with pytest.raises(CommandError, match="missing columns"):
        call_command("hub", "import-glotip", str(short))
    assert Observation.objects.count() == before and ImportBatch.objects.count() == 1


@pytest.mark.skipif(not REAL.exists(), reason="the shared GLOTIP export is not beside the project")
@pytest.mark.django_db
def test_the_real_export(capsys):
    call_command("hub", "import-glotip", str(REAL))
    out = capsys.readouterr().out
    assert "rows read: 58743" in out
    call_command("hub", "series", "--area", "RS", "--measure", "detected_victims")
    series = dict(line.split(",", 1) for line in capsys.readouterr().out.splitlines()[1:])
    # Published figures (UNODC GLOTIP): Serbia 46 detected victims in 2021, 62 in 2022.
    assert series["2021"] == "46," and series["2022"] == "62,"
    batch = ImportBatch.objects.get()
    assert any(c["area"] == "RS" and c["year"] == 2020 for c in batch.conflicts)
    # Citizenship labels that are no one country keep _O: "Abroad", regions, questionnaire codes.
    breakdowns = Observation.objects.filter(breakdown__in=["CITIZENSHIP", "REPATRIATION"])
    assert breakdowns.count() == 12011
    unmapped = breakdowns.filter(category="_O")
    assert unmapped.count() == 576 and unmapped.filter(label="Abroad").count() == 370


def test_citizenship_labels_that_are_not_country_names_are_mapped_from_the_data_file():
    import pycountry
    import yaml

    from veza.statistics.glotip import _country_code

    assert _country_code("Bosnia and Herzegovina", "RS") == "BA"  # an ISO name
    assert _country_code("Nigerians", "IT") == "NG"  # a demonym, plural
    assert _country_code("Bosnia i Herzegovina", "RS") == "BA"  # a spelling variant
    assert _country_code("The former Yugoslav Republic of Macedonia", "AL") == "MK"
    assert _country_code("Kosovar", "AL") == "XK"
    assert _country_code("Nationals", "ME") == "ME"  # own nationals: the reporting area
    assert _country_code("Unknown", "ME") == "_U"
    assert _country_code("Abroad", "ME") == "_O"  # not one country: kept with its label
    assert _country_code("Norvegian", "SE") == "NO"
    assert _country_code("Kazakhistan", "TR") == "KZ"  # a typo
    assert _country_code("RUMANÍA", "ES") == "RO"  # Spanish, capitals
    assert _country_code("Espa\ufffda", "AR") == "ES"  # garbled by the export
    assert _country_code("Salvadore\ufffdas", "SV") == "SV"  # garbled, plural
    assert _country_code("Solomon islanders", "SB") == "SB"
    assert _country_code("China, Hong Kong SAR", "CA") == "HK"
    assert _country_code("Domestic (Myanmar)", "MM") == "MM"  # own nationals
    assert _country_code("Other Asia", "GB") == "_O"  # a region: not one country
    assert _country_code("Q6.1_10s_2019", "PK") == "_O"  # a questionnaire code
    data = yaml.safe_load(
        (
            Path(__file__).resolve().parents[2] / "src/veza/data/statistics/citizenship-labels.yaml"
        ).read_text("utf-8")
    )
    special = {"NATIONALS", "_U", "_O", "XK"}
    assert all(
        isinstance(code, str) and (code in special or pycountry.countries.get(alpha_2=code))
        for code in data["labels"]
    )
    labels = [str(label).lower() for values in data["labels"].values() for label in values]
    assert len(labels) == len(set(labels)), "a label maps to one code only"
    assert data["source"]
