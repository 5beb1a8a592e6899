"""Long lists are counted only as far as a page needs (veza.core.paging)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_organisation, make_screening, make_user
from veza.core.paging import BoundedPaginator
from veza.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty():
    for number in range(30 - Organisation.objects.count()):
        make_organisation(name=f"Bounded {number:02}")
    assert Organisation.objects.count() == 30
    return Organisation.objects.order_by("pk")


def test_a_long_list_is_counted_to_the_bound_and_every_page_stays_reachable(thirty):
    paginator = BoundedPaginator(thirty, 5, ahead=10)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.get_page("1")
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "LIMIT 11" in counts[0]  # never the whole table
    assert paginator.capped and paginator.count == 11 and paginator.shown_count == 10
    assert paginator.num_pages == 3 and page.has_next()
    assert [o.pk for o in page] == [o.pk for o in thirty[:5]]

    # Past the bound it counts to the end of the asked page, and on to the real end.
    fourth = BoundedPaginator(thirty, 5, ahead=10).get_page(4)
    assert fourth.paginator.capped and fourth.has_next()
    assert [o.pk for o in fourth] == [o.pk for o in thirty[15:20]]
    last = BoundedPaginator(thirty, 5, ahead=10).get_page(6)
    assert not last.paginator.capped and last.paginator.count == 30
    assert not last.has_next() and last.paginator.num_pages == 6
    beyond = BoundedPaginator(thirty, 5, ahead=10).get_page(9)
    assert beyond.number == 6  # as Django's paginator: the last page
    assert BoundedPaginator(thirty, 5, ahead=10).get_page("nonsense").number == 1
    # Found by the API fuzz test: a page number past any database's LIMIT.
    assert BoundedPaginator(thirty, 5, ahead=10).get_page(2**62).number == 6


def test_a_short_list_is_counted_exactly(thirty):
    paginator = BoundedPaginator(thirty, 25, ahead=100)
    page = paginator.get_page(None)
    assert not paginator.capped and paginator.count == paginator.shown_count == 30
    assert paginator.num_pages == 2 and page.has_next()


def test_the_screening_list_says_more_than_when_it_stopped_counting(
    client, organisation, monkeypatch
):
    from tests.factories import login_verified

    screener = make_user(role="frontline_professional", organisation=organisation)
    for _ in range(27):
        make_screening(organisation, user=screener)
    login_verified(client, screener)
    body = client.get("/screenings/").content.decode()
    assert "27 screenings" in body and "Page 1 of 2<" in body

    monkeypatch.setattr(BoundedPaginator, "ahead", 2)  # counts one page (25) and one row more
    body = client.get("/screenings/").content.decode()
    assert "More than 25 screenings" in body and "Page 1 of 2 or more" in body
    assert 'rel="next"' in body

    # The API says the same: a count that stopped, and the way on.
    listed = client.get("/api/v1/screenings/?page_size=5").json()
    assert listed["count"] == 5 and listed["count_exact"] is False and listed["next"]
    monkeypatch.setattr(BoundedPaginator, "ahead", 1000)
    listed = client.get("/api/v1/screenings/?page_size=5").json()
    assert listed["count"] == 27 and listed["count_exact"] is True
    assert client.get("/api/v1/screenings/?page=2742692011890164224").status_code == 404
