"""The documented import template: its columns (what each means, which are required) and the
template files to download (CSV and XLSX), with two example rows in the project's own words."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veza.recommendations.choices import Body, Priority, Theme, Wording
from veza.recommendations.topics import topic_codes

__all__ = ["COLUMNS", "Column", "template_csv", "template_xlsx"]


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


COLUMNS = [
    Column(
        "participant",
        False,
        gettext_lazy(
            "Participant code: AL, BA, XK, ME, MK or RS. May be left empty when the participant "
            "is chosen on the import page (or with --participant)."
        ),
    ),
    Column("body", True, gettext_lazy("Who made the recommendation: %(codes)s.")),
    Column(
        "source_title",
        True,
        gettext_lazy("The document's title, e.g. the evaluation report or the yearly report."),
    ),
    Column(
        "source_round",
        False,
        gettext_lazy("The evaluation round (e.g. third round); empty: the year."),
    ),
    Column("source_date", False, gettext_lazy("Date of publication, YYYY-MM-DD.")),
    Column("source_url", False, gettext_lazy("Link to the document (https://…).")),
    Column("year", True, gettext_lazy("Year of the recommendation (of the report).")),
    Column(
        "reference",
        True,
        gettext_lazy("Number or paragraph in the source; unique per participant and source."),
    ),
    Column("theme", True, gettext_lazy("The 4P theme: %(codes)s.")),
    Column("topics", False, gettext_lazy("Topic codes separated by “;”: %(codes)s.")),
    Column("priority", False, gettext_lazy("The priority as the source gives it: %(codes)s.")),
    Column(
        "wording",
        False,
        gettext_lazy("own_words (default) or published (only where the licence allows)."),
    ),
    Column("text", True, gettext_lazy("The recommendation (at most 4000 characters).")),
    Column(
        "repeats",
        False,
        gettext_lazy(
            "The earlier recommendation(s) this one repeats, as body:year:reference, separated "
            "by “;”, e.g. greta:2019:112. They may be in Veza already or earlier in the file."
        ),
    ),
    Column("demo", False, gettext_lazy("yes for invented demonstration content; empty otherwise.")),
]

_CODES = {
    "body": Body.values,
    "theme": Theme.values,
    "priority": Priority.values,
}


def column_help(column: Column) -> str:
    codes = _CODES.get(column.name)
    if column.name == "topics":
        codes = topic_codes()
    text = str(column.help)
    return text % {"codes": ", ".join(codes)} if codes else text


EXAMPLES = [
    {
        "participant": "RS",
        "body": "greta",
        "source_title": "GRETA evaluation report (example)",
        "source_round": "third round",
        "source_date": "2023-06-30",
        "source_url": "",
        "year": "2023",
        "reference": "1",
        "theme": "protection",
        "topics": "identification;screening",
        "priority": "urgent",
        "wording": Wording.OWN_WORDS.value,
        "text": "Screen people arriving in reception centres for signs of trafficking, "
        "without waiting for a criminal investigation.",
        "repeats": "",
        "demo": "yes",
    },
    {
        "participant": "RS",
        "body": "us_tip",
        "source_title": "Trafficking in Persons Report (example)",
        "source_round": "2024",
        "source_date": "",
        "source_url": "",
        "year": "2024",
        "reference": "P1",
        "theme": "protection",
        "topics": "identification",
        "priority": "prioritized",
        "wording": Wording.OWN_WORDS.value,
        "text": "Identify victims proactively among migrants and refer them to assistance.",
        "repeats": "greta:2023:1",
        "demo": "yes",
    },
]


def template_csv() -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read every script right."""
    import csv

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    for row in EXAMPLES:
        writer.writerow([row[c.name] for c in COLUMNS])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "recommendations"
    sheet.append([c.name for c in COLUMNS])
    for row in EXAMPLES:
        sheet.append([row[c.name] for c in COLUMNS])
    notes = book.create_sheet("columns")
    notes.append([_("Column"), _("Required"), _("What it holds")])
    for column in COLUMNS:
        notes.append([column.name, _("yes") if column.required else _("no"), column_help(column)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
