"""Every shipped language is complete: no string untranslated or fuzzy, compiled files current."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.scripts import MIXED_SCRIPT, serbian_latin

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES/django.po").exists())


def test_every_interface_language_has_a_catalogue():
    expected = {code.replace("-latn", "_Latn") for code, _n in settings.LANGUAGES} - {"en"}
    assert set(LANGUAGES) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language):
    po = polib.pofile(LOCALE / language / "LC_MESSAGES/django.po")
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{language}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{language}: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    po, mo = polib.pofile(folder / "django.po"), polib.mofile(folder / "django.mo")

    def table(catalogue):
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if not e.obsolete and e.msgid
        }

    assert table(po) == table(mo), f"{language}: run `veza compilemessages`"


def test_catalogues_contain_every_string_of_the_code_and_templates(tmp_path):
    if not shutil.which("xgettext"):
        if os.environ.get("VEZA_REQUIRE_BROWSER") == "1":
            pytest.fail("gettext (xgettext) is required in CI")
        pytest.skip("gettext is not installed")
    package = Path(settings.PACKAGE_DIR)
    copy = tmp_path / "veza"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "sq", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(copy / "locale/sq/LC_MESSAGES/django.po")
    missing = [e.msgid for e in fresh if not e.translated() or e.fuzzy]
    assert not missing, f"strings not yet in the catalogues (run makemessages): {missing[:10]}"


def test_pages_really_change_language(member_client):
    member_client.post("/language/", {"language": "sr", "next": "/"})
    html = member_client.get("/").content.decode()
    assert "Ваше улоге" in html and "Your roles" not in html
    member_client.post("/language/", {"language": "sq", "next": "/"})
    assert "Organizatat" in member_client.get("/organisations/").content.decode()


@pytest.mark.parametrize("language", ["sr", "mk"])
def test_cyrillic_catalogues_mix_no_latin_letter_into_a_word(language):
    """A Latin letter that looks Cyrillic (e.g. è for ѐ in Macedonian "сѐ") breaks search and
    screen readers."""
    po = polib.pofile(LOCALE / language / "LC_MESSAGES/django.po")
    found = {w for e in po if e.msgstr for w in MIXED_SCRIPT.findall(e.msgstr)}
    assert not found, f"{language}: {sorted(found)[:10]}"


def test_content_files_mix_no_latin_letter_into_a_cyrillic_word():
    data = Path(settings.PACKAGE_DIR) / "data"
    found = {
        (path.name, word)
        for path in data.rglob("*.yaml")
        for word in MIXED_SCRIPT.findall(path.read_text(encoding="utf-8"))
    }
    assert not found, sorted(found)[:10]


def test_every_shipped_content_text_is_in_every_language():
    """Questionnaires, indicator lists and the procedure carry every text in the seven interface
    languages, Serbian Latin being the transliteration of the Cyrillic."""
    import yaml

    from veza.indicators.text import CONTENT_LANGUAGES, is_text, translation_counts

    def texts(node):
        if is_text(node):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from texts(value)
        elif isinstance(node, list):
            for value in node:
                yield from texts(value)

    data = Path(settings.PACKAGE_DIR) / "data"
    for folder in ("questionnaires", "indicators", "rules", "sop"):
        for path in sorted((data / folder).glob("*.yaml")):
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
            counts = translation_counts(content)
            assert counts["en"] > 0, path.name
            assert all(counts[code] == counts["en"] for code in CONTENT_LANGUAGES), (
                path.name,
                counts,
            )
            for text in texts(content):
                latin = serbian_latin(text["sr"])
                assert latin == text["sr-latn"], (path.name, text["en"])
