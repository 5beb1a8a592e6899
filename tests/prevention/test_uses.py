"""The counts of use: incremented atomically (one row per month, participant and language, the
rows without a participant too), shown only to the coordinator (their participant) and the
regional analyst (all), with small counts withheld so no one can be worked out from the totals."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.factories import login_verified, make_organisation, make_user
from veza.core.errors import ValidationError
from veza.organisations.models import Participant
from veza.prevention.demo import demo_selfcheck_uses
from veza.prevention.models import SelfCheckUse
from veza.prevention.selectors import use_table
from veza.prevention.services import selfcheck_use_record

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2026, 3, 17)


def _p(code):
    return Participant.objects.get(code=code)


def test_one_row_per_month_participant_and_language():
    for _ in range(3):
        selfcheck_use_record(language="sq", participant=_p("AL"), month=MARCH)
        selfcheck_use_record(language="sq", participant=None, month=MARCH)
    selfcheck_use_record(language="sq", participant=None, month=MARCH.replace(month=4))
    rows = {(r.month, r.participant_id, r.count) for r in SelfCheckUse.objects.all()}
    assert rows == {
        (datetime.date(2026, 3, 1), _p("AL").pk, 3),
        (datetime.date(2026, 3, 1), None, 3),
        (datetime.date(2026, 4, 1), None, 1),
    }
    # The database itself refuses a second row, with or without a participant (the retry path).
    for participant in (_p("AL"), None):
        with pytest.raises(IntegrityError), transaction.atomic():
            SelfCheckUse.objects.create(
                month=datetime.date(2026, 3, 1), participant=participant, language="sq"
            )


def test_a_bad_language_or_participant_is_refused():
    with pytest.raises(ValidationError):
        selfcheck_use_record(language="de", participant=None)
    with pytest.raises(ValidationError):
        selfcheck_use_record(language="sq", participant=_p("HUB"))
    assert not SelfCheckUse.objects.exists()


@pytest.fixture
def counts(db):
    for code, language, count in [
        ("AL", "sq", 30),
        ("AL", "rom", 2),  # small: withheld
        ("RS", "sr-latn", 25),
        ("RS", "rom", 9),
        (None, "ar", 6),
    ]:
        participant = _p(code) if code else None
        selfcheck_use_record(language=language, participant=participant, count=count, month=MARCH)


def _client_for(client, role, code):
    user = make_user(f"{role}-{code}", role=role, organisation=make_organisation(code))
    login_verified(client, user)
    return user


def test_the_analyst_sees_every_participant_protected(client, counts):
    analyst = _client_for(client, "regional_analyst", "HUB")
    table = use_table(analyst, year=2026)
    codes = [code for code, _label in table.columns]
    assert codes == ["AL", "RS", "none"]  # participants with no use in the year left out
    rows = {language: cells for language, _name, cells in table.rows}
    assert rows["rom"][codes.index("AL")] is None  # 2 is withheld
    true = {("sq", "AL"): 30, ("rom", "AL"): 2, ("sr-latn", "RS"): 25, ("rom", "RS"): 9}
    true[("ar", "none")] = 6
    for language, cells in rows.items():  # every figure shown is the true one
        for code, value in zip(codes, cells, strict=False):
            assert value is None or value == true.get((language, code), 0)
    # Secondary suppression: neither Albania's column nor the Romani row gives the 2 away.
    assert rows["rom"][-1] is None or rows["rom"][codes.index("RS")] is None
    assert table.totals[codes.index("AL")] is None or rows["sq"][codes.index("AL")] is None
    assert table.totals[-1] == 72 and table.withheld >= 3
    page = client.get("/prevention/self-check-uses/", {"year": 2026})
    text = page.content.decode()
    assert page.status_code == 200 and "protected" in text
    assert ">72<" in text


def test_the_coordinator_sees_only_their_participant(client, counts):
    coordinator = _client_for(client, "national_coordinator", "RS")
    table = use_table(coordinator, year=2026)
    assert [code for code, _label in table.columns] == ["RS"]
    rows = {language: cells for language, _name, cells in table.rows}
    assert set(rows) == {"sr-latn", "rom"} and rows["rom"] == [9, 9]
    assert table.totals == [34, 34]
    text = client.get("/prevention/self-check-uses/?year=2026").content.decode()
    assert ">34<" in text and ">30<" not in text


def test_others_are_refused(client, counts):
    _client_for(client, "frontline_professional", "RS")
    assert client.get("/prevention/self-check-uses/").status_code == 403
    client.logout()
    assert client.get("/prevention/self-check-uses/").status_code in (302, 403)


def test_the_demo_counts_show_protected_figures(client):
    assert demo_selfcheck_uses()["lines"]
    assert demo_selfcheck_uses()["lines"] == ["Self-check counts exist already."]
    analyst = _client_for(client, "regional_analyst", "HUB")
    year = SelfCheckUse.objects.latest("month").month.year
    table = use_table(analyst, year=year)
    assert table.withheld and table.totals[-1]
    page = client.get("/prevention/self-check-uses/").content.decode()
    assert "protected" in page and '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert f"{table.totals[-1]}<" in page
