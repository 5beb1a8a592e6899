"""Fill the six interface catalogues from one file of translations, then compile them.

Developers who add texts write their translations once, side by side, in a file of calls

    t("Guidance library", "Biblioteka e udhëzimeve", "Библиотека смерница", "Biblioteka smjernica",
      "Knjižnica smjernica", "Библиотека на упатства")
    t(["%(count)s document", "%(count)s documents"], [sq one, sq other], [sr one, few, many], ...)
    t("Open", ..., ctx="verb")

with the English text (msgid; a pair for plurals) followed by Albanian, Serbian (Cyrillic),
Bosnian, Croatian and Macedonian. Serbian Latin is made from the Serbian Cyrillic, letter for
letter, never written by hand. Every entry found is filled and its `fuzzy` mark dropped; an
entry of the file missing from the catalogues is reported (run makemessages first). Then each
catalogue is rewrapped (`msgcat --width=79`) and compiled with `msgfmt --check`; the languages
with entries still untranslated or fuzzy are listed, and the exit status is 1 while any remain.

    cd src/veza && ../../.venv/bin/veza makemessages --no-obsolete \
        -l sq -l sr -l sr_Latn -l bs -l hr -l mk
    cd ../.. && .venv/bin/python scripts/translations_fill.py new-texts.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import polib

from veza.core.multilingual import serbian_latin as one_serbian_latin

LOCALE = Path(__file__).resolve().parent.parent / "src" / "veza" / "locale"
ORDER = ("sq", "sr", "bs", "hr", "mk")


def serbian_latin(text):
    if isinstance(text, list):
        return [serbian_latin(t) for t in text]
    return one_serbian_latin(text)


def read_entries(path: Path) -> list[dict]:
    entries: list[dict] = []

    def t(english, *translations, ctx=None):
        if len(translations) != len(ORDER):
            raise SystemExit(f"{english!r}: {len(translations)} translations, need {len(ORDER)}")
        found = dict(zip(ORDER, translations, strict=True))
        found["sr_Latn"] = serbian_latin(found["sr"])
        entries.append({"en": english, "ctx": ctx, "tr": found})

    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), {"t": t})  # noqa: S102
    return entries


def _nplurals(catalogue: polib.POFile) -> int:
    header = catalogue.metadata.get("Plural-Forms", "")
    for part in header.split(";"):
        if part.strip().startswith("nplurals="):
            return int(part.strip().split("=", 1)[1])
    return 2


def fill(language: str, entries: list[dict]) -> tuple[int, list[str]]:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(path), wrapwidth=79)
    index = {(e.msgctxt, e.msgid): e for e in catalogue}
    forms = _nplurals(catalogue)
    filled, unknown = 0, []
    for item in entries:
        english, text = item["en"], item["tr"][language]
        singular = english[0] if isinstance(english, list) else english
        entry = index.get((item["ctx"], singular))
        if entry is None:
            unknown.append(singular)
            continue
        if entry.msgid_plural:
            values = text if isinstance(text, list) else [text]
            values = (values + [values[-1]] * forms)[:forms]
            entry.msgstr_plural = dict(enumerate(values))
        else:
            entry.msgstr = text[0] if isinstance(text, list) else text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        filled += 1
    catalogue.save(str(path))
    subprocess.run(["msgcat", "--width=79", "-o", str(path), str(path)], check=True)  # noqa: S603, S607
    subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", str(path.with_suffix(".mo")), str(path)],  # noqa: S607
        check=True,
    )
    left = [
        e.msgid
        for e in polib.pofile(str(path))
        if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
    ]
    return filled, [*(f"not in the catalogue: {u}" for u in unknown), *left]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="files of t(...) calls")
    args = parser.parse_args(argv)
    entries = [e for f in args.files for e in read_entries(f)]
    status = 0
    for language in (*ORDER, "sr_Latn"):
        filled, left = fill(language, entries)
        print(f"{language}: {filled} filled, {len(left)} still to do")
        for msgid in left[:20]:
            print(f"  {msgid[:100]!r}")
        status = status or bool(left)
    return status


if __name__ == "__main__":
    sys.exit(main())
