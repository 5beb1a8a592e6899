"""Page weight: every page (the walk of tests/pagewalk.py, with its lists full) weighs under
150 KB transferred without images: the HTML plus every stylesheet and script it references.

Measured as sent: Veza does not compress its HTML (no GZip middleware: compressing pages that hold
secrets next to what a visitor typed invites BREACH), so the HTML counts raw; the stylesheets and
scripts are served by WhiteNoise's compressed storage, which sends their gzip form to every
browser, so they count gzipped (level 9, as WhiteNoise writes them). A script or stylesheet is
counted on every page that references it, as on a first visit with an empty cache. Inline SVG
charts are part of the HTML and count; image files (`<img>`, icons) do not.

The pages are weighed in English, then the five heaviest in every shipped language (Cyrillic
scripts take two bytes a letter). One test walks them all (its failure names every page over
the limit); `pytest tests/test_page_weight.py -q -s` prints the five heaviest.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.pagewalk import PAGES, grow, load_demo, sign_in

pytestmark = pytest.mark.django_db

LIMIT = 150 * 1024
HTML_PAGES = [page for page in PAGES if not page.is_api]
ASSET = re.compile(
    r'<(?:link[^>]*\brel="stylesheet"[^>]*\bhref|script[^>]*\bsrc)="(?P<url>/static/[^"?#]+)"'
)


def _asset_bytes(url: str, cache: dict) -> int:
    if url not in cache:
        found = finders.find(url.removeprefix(settings.STATIC_URL))
        assert found, f"{url} is referenced but not found"
        cache[url] = len(gzip.compress(Path(found).read_bytes(), compresslevel=9))
    return cache[url]


def weigh(html: bytes, cache: dict) -> tuple[int, int]:
    """(HTML bytes, bytes of the stylesheets and scripts it references) as sent."""
    assets = set(ASSET.findall(html.decode()))
    return len(html), sum(_asset_bytes(url, cache) for url in assets)


def _get(client, page, url, language):
    sign_in(client, page)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (page.key, url, language, response.status_code)
    return response.content


def test_every_page_weighs_under_150_kb(client):
    """Each page's heaviest (total, HTML, assets, language); the five heaviest are printed."""
    from django.contrib.auth import get_user_model

    load_demo()
    grow(30)
    # The demo accounts have a language of their own; the cookie decides here.
    get_user_model().objects.update(language="")
    cache, weights = {}, {}
    urls = {page.key: page.url() for page in HTML_PAGES}
    for page in HTML_PAGES:
        html, assets = weigh(_get(client, page, urls[page.key], "en"), cache)
        weights[page.key] = (html + assets, html, assets, "en")
    heaviest = sorted(weights, key=lambda key: weights[key][0])[-5:]
    for page in (p for p in HTML_PAGES if p.key in heaviest):
        for language, _name in settings.LANGUAGES[1:]:
            html, assets = weigh(_get(client, page, urls[page.key], language), cache)
            if html + assets > weights[page.key][0]:
                weights[page.key] = (html + assets, html, assets, language)

    print(f"\n{'page':40} {'total KB':>9} {'HTML':>7} {'CSS+JS':>7}  language")
    for key in sorted(weights, key=lambda key: -weights[key][0])[:5]:
        total, html, assets, language = weights[key]
        print(f"{key:40} {total / 1024:9.1f} {html / 1024:7.1f} {assets / 1024:7.1f}  {language}")
    assert weights["home (case manager)"][2] > 2000  # veza.css and veza.js count, gzipped
    heavy = {
        key: f"{total} bytes in {language} (HTML {html}, stylesheets and scripts {assets})"
        for key, (total, html, assets, language) in weights.items()
        if total >= LIMIT
    }
    assert not heavy, heavy
