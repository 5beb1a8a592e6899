"""Query budgets: every main page and API read, signed in as the account that uses it, makes a
bounded number of database queries that does not grow with the data it lists (an N+1 query fails
here, and the test's name names the page); and every list shows one page at a time.

The demo data is loaded once for the module (tests/pagewalk.py, inside a transaction rolled back
at the end); every page is requested, then `GROWTH` more of everything the pages list is added
(cases with screenings, consents, identities, decisions, referrals and deadlines; bookings,
services, interpreters, organisations, recommendations, measures), and every page is requested
again. Each page is requested once before it is first counted, so that caches filled on first use
(the content bundle, translations) are not counted as per-request work. The counts include the
session, permission and audit queries of a request: an audited read writes a fixed number of
audit entries per request.

`pytest tests/test_query_budgets.py -q -s -k report` prints the table of counts.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.pagewalk import PAGES, grow, load_demo, sign_in

pytestmark = pytest.mark.django_db

GROWTH = 30

#: Most queries one request of the page may make: what it made when measured (SQLite and
#: PostgreSQL agree), plus two. A regression fails `test_page_stays_within_its_query_budget[page]`.
BUDGETS = {
    "home (case manager)": 12,
    "home (frontline)": 11,
    "home (coordinator dashboard)": 12,
    "account": 12,
    "screening list": 12,
    "screening new": 18,
    "screening result (detail)": 24,
    "screening review": 19,
    "screening draft step": 20,
    "case list": 13,
    "case list (coordinator)": 13,
    "case detail (timeline)": 27,
    "case identity": 20,
    "case edit": 12,
    "worklist (case manager)": 23,
    "worklist (provider)": 21,
    "worklist (identification)": 22,
    "referral detail": 23,
    "referral detail (provider)": 22,
    "referral new": 14,
    "service directory": 12,
    "interpreter requests": 13,
    "interpreter request new": 11,
    "interpreter request detail": 27,
    "interpreter requests (coordinator)": 13,
    "interpreter pool": 23,
    "interpreter support": 12,
    "information": 11,
    "information sheet": 14,
    "field forms": 19,
    "recommendations": 25,
    "recommendation detail": 18,
    "recommendation sources": 12,
    "recommendation coverage": 34,
    "action plans": 13,
    "action plan detail": 25,
    "emergencies": 17,
    "emergency detail": 19,
    "subject access": 11,
    "break-glass log": 12,
    "statistics releases": 14,
    "statistics release detail": 12,
    "translations": 12,
    "organisations": 13,
    "organisation detail": 13,
    "hub trends": 20,
    "hub report": 32,
    "hub received releases": 12,
    "api user me": 10,
    "api organisations": 11,
    "api organisation": 11,
    "api participants": 11,
    "api participant": 10,
    "api indicator sets": 11,
    "api indicator set": 10,
    "api questionnaires": 11,
    "api questionnaire": 10,
    "api screenings": 17,
    "api screening": 18,
    "api cases": 18,
    "api case": 17,
    "api case identity": 18,
    "api case consents": 11,
    "api services": 10,
    "api service": 11,
    "api referrals": 16,
    "api referral": 16,
    "api referral shared": 12,
    "api interpreters": 12,
    "api interpreter": 11,
    "api interpreter requests": 17,
    "api interpreter request": 16,
    "api interpreter request suggestions": 24,
    "api interpreter bookings": 16,
    "api interpreter booking": 15,
    "api interpreter availability": 11,
    "api interpreter availability slot": 10,
    "api recommendation sources": 11,
    "api recommendation source": 10,
    "api recommendations": 17,
    "api recommendation": 16,
    "api recommendation coverage": 28,
    "api strategies": 13,
    "api strategy": 12,
    "api strategy draft": 27,
    "api measures": 17,
    "api measure": 16,
    "api progress reports": 12,
}

#: Pages whose query count may grow by a constant when the data grows, and why.
ALLOWED_GROWTH = {
    # The worklist pages four of its lists; Django runs no query for the rows of an empty list
    # (a slice of nothing), so each list that was empty before growing costs one query after.
    "worklist (case manager)": 4,
    "worklist (provider)": 4,
    "worklist (identification)": 4,
}

#: Lists that are short by nature and show every row, and why they stay short at national scale.
BOUNDED = {
    "recommendation sources": "the monitoring bodies' reports: a few a year for the region",
    "action plans": "one national strategy per participant and period",
    "emergencies": "emergency areas are declared a few times a year",
    "break-glass log": "paginated; emergency access grants are rare (no growth to show)",
    "statistics releases": "one release per participant and year, rebuilt a few times",
    "hub received releases": "one batch per participant, year and revision",
    "api strategies": "paginated like every API list; one strategy per participant and period",
}


def _count(client, page, url, *, warm=False):
    sign_in(client, page)
    if warm:
        client.get(url)  # first-use caches (content bundle, translations) are not per request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (page.key, url, response.status_code)
    return len(queries), response


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """{page key: (queries before growing, queries after growing, response after growing)}."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        client = Client()
        urls = {page.key: page.url() for page in PAGES}
        before = {page.key: _count(client, page, urls[page.key], warm=True)[0] for page in PAGES}
        grow(GROWTH)
        result = {}
        for page in PAGES:
            after, response = _count(client, page, urls[page.key])
            result[page.key] = (before[page.key], after, response, urls[page.key])
        yield result
        transaction.set_rollback(True)


def test_report(measured):
    """The table of counts (run with -s to see it)."""
    print(f"\n{'page or endpoint':45} {'before':>6} {'after':>6} {'budget':>6}")
    for page in PAGES:
        before, after, _response, _url = measured[page.key]
        print(f"{page.key:45} {before:6} {after:6} {BUDGETS.get(page.key, '-'):>6}")


def test_every_page_has_a_budget():
    keys = [page.key for page in PAGES]
    assert len(keys) == len(set(keys)), "page keys must be unique"
    assert set(BUDGETS) == set(keys)
    assert set(BOUNDED) <= {page.key for page in PAGES if page.is_list}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.key)
def test_query_count_does_not_grow_with_the_data(measured, page):
    before, after, _response, _url = measured[page.key]
    assert after - before <= ALLOWED_GROWTH.get(page.key, 0), (
        f"{page.key}: {before} queries, {after} with {GROWTH} more rows (N+1?)"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.key)
def test_page_stays_within_its_query_budget(measured, page):
    _before, after, _response, _url = measured[page.key]
    assert after <= BUDGETS[page.key], f"{page.key}: {after} queries, budget {BUDGETS[page.key]}"


LISTS = [page for page in PAGES if page.is_list and page.key not in BOUNDED]


@pytest.mark.parametrize("page", LISTS, ids=lambda page: page.key)
def test_list_shows_one_page_with_a_way_to_the_next(measured, client, page):
    """More rows than one page holds: one page of them, and a link to the next."""
    _before, _after, response, url = measured[page.key]
    if page.is_api:
        # The API's page size is 50 (at most 200 on request); a page of 5 shows the mechanism.
        sign_in(client, page)
        body = client.get(url, {"page_size": 5}).json()
        assert body["count"] > 5, (page.key, body["count"])
        assert len(body["results"]) == 5
        assert body["next"], page.key
        assert client.get(body["next"]).json()["previous"]
        return
    html = response.content.decode()
    navs = re.findall(r'<nav class="pagination" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert navs, f"{page.key}: no pagination with {GROWTH} more rows"
    for nav in navs:
        link = re.search(r'<a href="\?([^"]*)" rel="next">', nav)
        assert link, (page.key, nav)
        sign_in(client, page)
        following = client.get(f"{url}?{link.group(1).replace('&amp;', '&')}")
        assert following.status_code == 200
        assert 'rel="prev"' in following.content.decode(), page.key
