"""Reading the UNODC GLOTIP export (dataUNODC "data_glotip" workbook) into observations.

Pure Python (openpyxl, pycountry). The sheet has title lines, a header on row 3, then one row per
observation. Small counts are published as the text "<5": they become a withheld observation
(value None, flag "<5"), never 0 or 5. The same key may appear twice with different values: every
such conflict is reported, and the key is kept as a conflict, never resolved by picking one.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["GlotipError", "Observation", "Reading", "read_glotip"]

COLUMNS = (
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "txtVALUE",
    "Source",
)
MEASURES = {
    "Detected trafficking victims": "detected_victims",
    "Persons convicted": "persons_convicted",
    "Persons prosecuted": "persons_prosecuted",
    "Persons brought into formal contact": "persons_formal_contact",
    "Offences of trafficking in persons": "offences",
}
SEX = {"Female": "F", "Male": "M", "Other": "O", "Unknown": "_U", "Total": "_T"}
AGE = {"0 to 17 years": "Y0T17", "18 years or over": "Y_GE18", "Unknown": "_U", "Total": "_T"}
EXPLOITATION = {
    "Sexual exploitation": "SEXUAL",
    "Forced labour": "FORCED_LABOUR",
    "Other forms of exploitation": "OTHER",
    "Total": "_T",
}
#: Areas that ISO 3166 does not list: Kosovo (user-assigned XK, as the European Commission uses).
EXTRA_AREAS = {"XKX": "XK", "KOS": "XK"}


class GlotipError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Observation:
    measure: str
    area: str
    year: int
    sex: str
    age: str
    exploitation: str
    breakdown: str  # "_T", "CITIZENSHIP" or "REPATRIATION"
    category: str  # code of the citizenship or repatriation country, "_O" when not a country
    label: str  # the category as published (for breakdowns whose category is not a country)
    value: int | None
    flag: str  # "" | "<5" | "conflict"

    @property
    def key(self) -> tuple:
        return (
            self.measure,
            self.area,
            self.year,
            self.sex,
            self.age,
            self.exploitation,
            self.breakdown,
            self.category,
            self.label,
        )


@dataclass
class Reading:
    rows_read: int = 0
    observations: dict[tuple, Observation] = field(default_factory=dict)
    conflicts: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _area(iso3: str) -> str | None:
    import pycountry

    if iso3 in EXTRA_AREAS:
        return EXTRA_AREAS[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    return country.alpha_2 if country else None


@functools.cache
def _labels() -> dict[str, str]:
    import yaml

    path = Path(__file__).resolve().parents[1] / "data/statistics/citizenship-labels.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    return {
        str(label).strip().lower(): code
        for code, labels in data["labels"].items()
        for label in labels
    }


def _country_code(label: str, area: str) -> str:
    """The ISO code of a citizenship label: a country name, else a known variant or demonym
    (`data/statistics/citizenship-labels.yaml`); own nationals become the reporting area."""
    import pycountry

    text = label.strip()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        pass
    known = _labels()
    lowered = text.lower()
    code = known.get(lowered) or (known.get(lowered[:-1]) if lowered.endswith("s") else None)
    if code is None:
        return "_O"
    return area if code == "NATIONALS" else code


def _year(value) -> int | None:
    """A plausible year from a cell (a number or its text), else None."""
    try:
        year = int(float(str(value).strip()))
    except (TypeError, ValueError, OverflowError):
        return None
    return year if 1900 <= year <= 2100 else None


def _count(text: str) -> int | None:
    """A count from a cell's text ("1,120" or "52.0"), else None: never negative, infinite or
    larger than the database keeps."""
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or value >= 2**63 or value != int(value):
        return None
    return int(value)


def read_glotip(raw: bytes) -> Reading:
    """Every observation of the workbook, with conflicts and skipped rows listed."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise GlotipError(["the file is not a readable XLSX workbook"]) from exc
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = None
    for _number in range(10):
        row = next(rows, None)
        if row and row[0] == COLUMNS[0]:
            header = [str(c or "").strip() for c in row]
            break
    if header is None:
        raise GlotipError(["no header row starting with Iso3_code in the first ten rows"])
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise GlotipError([f"missing columns: {', '.join(missing)}"])
    at = {name: header.index(name) for name in COLUMNS}
    reading = Reading()
    for number, row in enumerate(rows, start=4):
        # A row may stop before the last columns (cells never written): those are empty.
        row = (*row, *[None] * (len(header) - len(row))) if row else row
        if not row or not row[at["Iso3_code"]]:
            continue
        reading.rows_read += 1
        values = dict(zip(COLUMNS, (row[at[name]] for name in COLUMNS), strict=True))
        get = values.get
        measure = MEASURES.get(get("Indicator"))
        area = _area(str(get("Iso3_code")))
        dimension = get("Dimension")
        category = get("Category")
        if measure is None or area is None:
            reading.skipped.append(f"row {number}: unknown indicator or area")
            continue
        exploitation, breakdown, code, label = "_T", "_T", "_T", ""
        if dimension == "by form of exploitation":
            exploitation = EXPLOITATION.get(category)
            if exploitation is None:
                reading.skipped.append(f"row {number}: unknown form of exploitation {category!r}")
                continue
        elif dimension in ("by citizenship", "by country of repatriation"):
            breakdown = "CITIZENSHIP" if dimension == "by citizenship" else "REPATRIATION"
            label = str(category or "").strip()
            code = _country_code(label, area)
        elif dimension != "Total":
            reading.skipped.append(f"row {number}: unknown dimension {dimension!r}")
            continue
        sex, age = SEX.get(get("Sex")), AGE.get(get("Age"))
        if sex is None or age is None:
            reading.skipped.append(f"row {number}: unknown sex or age")
            continue
        year = _year(get("Year"))
        if year is None:
            reading.skipped.append(f"row {number}: year {str(get('Year'))[:20]!r} is not a year")
            continue
        text = str(get("txtVALUE") or "").strip()
        if text == "<5":
            value, flag = None, "<5"
        else:
            value, flag = _count(text), ""
            if value is None:
                reading.skipped.append(f"row {number}: value {text[:20]!r} is not a count")
                continue
        observation = Observation(
            measure,
            area,
            year,
            sex,
            age,
            exploitation,
            breakdown,
            code,
            label,
            value,
            flag,
        )
        known = reading.observations.get(observation.key)
        if known is None:
            reading.observations[observation.key] = observation
        elif (known.value, known.flag) != (value, flag):
            reading.conflicts.append(
                {
                    "row": number,
                    "area": area,
                    "year": observation.year,
                    "measure": measure,
                    "sex": sex,
                    "age": age,
                    "exploitation": exploitation,
                    "category": label or code,
                    "values": [known.flag or known.value, flag or value],
                }
            )
            reading.observations[observation.key] = replace(
                observation, value=None, flag="conflict"
            )
    return reading
