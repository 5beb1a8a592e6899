"""Query budgets: every main page and API read, signed in as the account that uses it, makes a
bounded number of database queries that does not grow with the data it lists (an N+1 query fails
here, and the test's name names the page); and every list shows one page at a time.

The demo data is loaded once for the module (tests/pagewalk.py, inside a transaction rolled back
at the end); every page is requested, then `GROWTH` more of everything the pages list is added
(cases with screenings, consents, identities, decisions, referrals and deadlines; bookings,
services, interpreters, organisations, recommendations, measures), and every page is requested
again. Each page is requested once before each count, so that caches filled on first use (the
content bundle, translations) and the session's save after a sign-in (activity saves it once a
minute, not per request) are not counted as per-request work. The counts include the session,
permission and audit queries of a request: an audited read writes a fixed number of audit entries
per request.

The walk is one test (its failure lists every page over budget or growing, by name): the data
is loaded once, and with `-n 2` the module stays on one worker. `pytest
tests/test_query_budgets.py -q -s` prints the table of counts.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.pagewalk import PAGES, grow, load_demo, sign_in

pytestmark = pytest.mark.django_db

GROWTH = 30

#: Most queries one request of the page may make: what it made when measured (SQLite and
#: PostgreSQL agree), plus two. A regression fails the walk and names the page.
BUDGETS = {
    "home (case manager)": 9,
    "home (frontline)": 8,
    "home (coordinator dashboard)": 9,
    "account": 9,
    "screening list": 9,
    "screening new": 10,
    "screening result (detail)": 20,
    "screening review": 9,
    "screening draft step": 10,
    "case list": 10,
    "case list (coordinator)": 10,
    "case detail (timeline)": 24,
    "case identity": 17,
    "case edit": 9,
    "worklist (case manager)": 20,
    "worklist (provider)": 18,
    "worklist (identification)": 19,
    "referral detail": 20,
    "referral detail (provider)": 19,
    "referral new": 11,
    "service directory": 9,
    "interpreter requests": 10,
    "interpreter request new": 8,
    "interpreter request detail": 24,
    "interpreter requests (coordinator)": 10,
    "interpreter pool": 20,
    "interpreter support": 9,
    "information": 8,
    "information sheet": 11,
    "field forms": 11,
    "recommendations": 22,
    "recommendation detail": 15,
    "recommendation sources": 9,
    "recommendation coverage": 31,
    "action plans": 10,
    "action plan detail": 22,
    "emergencies": 14,
    "emergency detail": 16,
    "guidance library": 14,
    "guidance library search": 11,
    "guidance document": 13,
    "guidance document new": 10,
    "public library": 11,
    "public library document": 9,
    "subject access": 8,
    "my training": 11,
    "training practice": 9,
    "training practice case": 8,
    "training attempt": 9,
    "training courses": 10,
    "training course": 15,
    "training coverage": 12,
    "certificate verify": 8,
    "feedback offer": 8,
    "feedback summary": 12,
    "feedback summary (regional)": 12,
    "break-glass log": 9,
    "statistics releases": 11,
    "statistics release detail": 9,
    "translations": 9,
    "organisations": 10,
    "organisation detail": 10,
    "hub trends": 17,
    "hub report": 29,
    "hub received releases": 9,
    "self-check (public)": 8,
    "self-check questions (public)": 8,
    "self-check rights (public)": 7,
    "self-check use": 12,
    "self-check use (coordinator)": 12,
    "api user me": 7,
    "api organisations": 8,
    "api organisation": 8,
    "api participants": 8,
    "api participant": 7,
    "api indicator sets": 8,
    "api indicator set": 7,
    "api questionnaires": 8,
    "api questionnaire": 7,
    "api screenings": 14,
    "api screening": 14,
    "api cases": 15,
    "api case": 14,
    "api case identity": 15,
    "api case consents": 8,
    "api services": 7,
    "api service": 8,
    "api referrals": 13,
    "api referral": 13,
    "api referral shared": 9,
    "api interpreters": 9,
    "api interpreter": 8,
    "api interpreter requests": 14,
    "api interpreter request": 13,
    "api interpreter request suggestions": 21,
    "api interpreter bookings": 13,
    "api interpreter booking": 12,
    "api interpreter availability": 8,
    "api interpreter availability slot": 7,
    "api recommendation sources": 8,
    "api recommendation source": 7,
    "api recommendations": 14,
    "api recommendation": 13,
    "api recommendation coverage": 25,
    "api strategies": 10,
    "api strategy": 9,
    "api strategy draft": 24,
    "api measures": 14,
    "api measure": 13,
    "api progress reports": 9,
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
    "training courses": "a participant runs a few dozen courses and events a year",
    "break-glass log": "paginated; emergency access grants are rare (no growth to show)",
    "statistics releases": "one release per participant and year, rebuilt a few times",
    "hub received releases": "one batch per participant, year and revision",
    "api strategies": "paginated like every API list; one strategy per participant and period",
}


def _count(client, page, url):
    sign_in(client, page)
    # Once before counting: first-use caches (content bundle, translations) are not per request,
    # nor is the session's save that follows a sign-in (activity saves it once a minute).
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (page.key, url, response.status_code)
    return len(queries), response


def test_every_page_has_a_budget():
    keys = [page.key for page in PAGES]
    assert len(keys) == len(set(keys)), "page keys must be unique"
    assert set(BUDGETS) == set(keys)
    assert set(ALLOWED_GROWTH) <= set(keys)
    assert set(BOUNDED) <= {page.key for page in PAGES if page.is_list}


def _paged(client, page, url, response) -> str:
    """Why the list does not show one page with a way to the next ("" when it does)."""
    sign_in(client, page)
    if page.is_api:
        # The API's page size is 50 (at most 200 on request); a page of 5 shows the mechanism.
        body = client.get(url, {"page_size": 5}).json()
        if body["count"] <= 5 or len(body["results"]) != 5 or not body["next"]:
            return f"count {body['count']}, {len(body['results'])} rows, next {body['next']}"
        return "" if client.get(body["next"]).json()["previous"] else "no way back"
    html = response.content.decode()
    navs = re.findall(r'<nav class="pagination" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    if not navs:
        return f"no pagination with {GROWTH} more rows"
    for nav in navs:
        link = re.search(r'<a href="\?([^"]*)" rel="next">', nav)
        if not link:
            return f"no next link in {nav!r}"
        following = client.get(f"{url}?{link.group(1).replace('&amp;', '&')}")
        if following.status_code != 200 or 'rel="prev"' not in following.content.decode():
            return f"the next page ({link.group(1)}) has no way back"
    return ""


def test_queries_stay_within_budget_and_do_not_grow_and_lists_are_paged(client):
    load_demo()
    urls = {page.key: page.url() for page in PAGES}
    before = {page.key: _count(client, page, urls[page.key])[0] for page in PAGES}
    grow(GROWTH)
    after, responses = {}, {}
    for page in PAGES:
        after[page.key], responses[page.key] = _count(client, page, urls[page.key])
    print(f"\n{'page or endpoint':45} {'before':>6} {'after':>6} {'budget':>6}")
    for page in PAGES:
        print(f"{page.key:45} {before[page.key]:6} {after[page.key]:6} {BUDGETS[page.key]:6}")

    growing = {
        key: f"{before[key]} → {after[key]} queries with {GROWTH} more rows (N+1?)"
        for key in before
        if after[key] - before[key] > ALLOWED_GROWTH.get(key, 0)
    }
    assert not growing, growing
    over = {
        key: f"{after[key]} queries, budget {BUDGETS[key]}"
        for key in after
        if after[key] > BUDGETS[key]
    }
    assert not over, over
    unpaged = {
        page.key: reason
        for page in PAGES
        if page.is_list
        and page.key not in BOUNDED
        and (reason := _paged(client, page, urls[page.key], responses[page.key]))
    }
    assert not unpaged, unpaged
