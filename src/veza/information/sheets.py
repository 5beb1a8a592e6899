"""The victim information sheets and the numbers shown under them, read from the data files
(`data/information/sheets.yaml`, `data/information/contacts.yaml`). Pure: no database."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from veza.core.multilingual import check_texts, closest_language, read_languages

__all__ = [
    "Contacts",
    "Section",
    "Sheet",
    "SheetsError",
    "all_texts",
    "contacts_for",
    "load_contacts",
    "load_sheets",
    "sheet_language",
]

DATA = Path(__file__).resolve().parent.parent / "data" / "information"
SHEET_IDS = ("rights", "next_steps", "confidentiality", "get_help")


class SheetsError(ValueError):
    """A data file that does not hold what the sheets need (found by `veza check` and tests)."""


@dataclass(frozen=True)
class Section:
    heading: str
    body: str
    points: tuple[str, ...]


@dataclass(frozen=True)
class Sheet:
    id: str
    title: str
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Sheets:
    languages: tuple[str, ...]
    rtl: frozenset[str]
    names: dict[str, str]
    ui: dict[str, dict[str, str]]
    raw: tuple[dict, ...]

    def direction(self, language: str) -> str:
        return "rtl" if language in self.rtl else "ltr"

    def label(self, key: str, language: str) -> str:
        return self.ui[key][language]

    def in_language(self, language: str) -> list[Sheet]:
        if language not in self.languages:
            raise KeyError(language)
        return [
            Sheet(
                id=sheet["id"],
                title=sheet["title"][language],
                sections=tuple(
                    Section(
                        heading=s["heading"][language],
                        body=s["body"][language] if "body" in s else "",
                        points=tuple(p[language] for p in s.get("points") or ()),
                    )
                    for s in sheet["sections"]
                ),
            )
            for sheet in self.raw
        ]


def all_texts(data) -> list[dict]:
    """Every translated text of the file (each a mapping of language to text)."""
    found = list(data.get("ui", {}).values())
    for sheet in data.get("sheets") or []:
        found.append(sheet.get("title"))
        for section in sheet.get("sections") or []:
            found.append(section.get("heading"))
            if "body" in section:
                found.append(section["body"])
            found.extend(section.get("points") or [])
    return found


def parse_sheets(data: dict) -> Sheets:
    found = read_languages(data, SheetsError, what="the sheets")
    ids = tuple(sheet.get("id") for sheet in data.get("sheets") or [])
    if ids != SHEET_IDS:
        raise SheetsError(f"the sheets are {SHEET_IDS}, found {ids}")
    check_texts(all_texts(data), found.codes, SheetsError)
    for section in (s for sheet in data["sheets"] for s in sheet["sections"]):
        if ("body" in section) == bool(section.get("points")):
            raise SheetsError("a section has either a body or points")
    return Sheets(
        languages=found.codes,
        rtl=found.rtl,
        names=found.names,
        ui=dict(data.get("ui") or {}),
        raw=tuple(data["sheets"]),
    )


@functools.cache
def load_sheets(path: Path = DATA / "sheets.yaml") -> Sheets:
    return parse_sheets(yaml.safe_load(path.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Contacts:
    police: str
    ambulance: str
    hotlines: tuple[dict, ...]


@functools.cache
def load_contacts(path: Path = DATA / "contacts.yaml") -> dict[str, Contacts]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = {}
    for code, entry in (data.get("participants") or {}).items():
        hotlines = tuple(entry.get("hotlines") or ())
        if any(not h.get("number") or not h.get("source") for h in hotlines):
            raise SheetsError(f"{code}: every hotline has a number and the page it comes from")
        found[code] = Contacts(str(entry["police"]), str(entry["ambulance"]), hotlines)
    return found


def contacts_for(participant_code: str | None) -> Contacts | None:
    return load_contacts().get(participant_code or "")


def sheet_language(code: str | None) -> str:
    """The sheets' language closest to an interface language code (e.g. "sr-latn" → "sr-latn",
    "de" → "en")."""
    return closest_language(code, load_sheets().languages)
