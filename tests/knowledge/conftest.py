"""Fixtures of the guidance library's tests: a coordinator of Serbia, one of Albania, a regional
analyst and a frontline professional, each with a verified session helper."""

import pytest

from tests.factories import make_organisation, make_user
from veza.organisations.choices import Sector
from veza.organisations.models import Participant


@pytest.fixture
def rs():
    return Participant.objects.get(code="RS")


@pytest.fixture
def coordinator(db):
    org = make_organisation("RS", sector=Sector.NATIONAL_COORDINATOR, name="NRM office RS (test)")
    return make_user("rs.coord.test", role="national_coordinator", organisation=org)


@pytest.fixture
def al_coordinator(db):
    org = make_organisation("AL", sector=Sector.NATIONAL_COORDINATOR, name="NRM office AL (test)")
    return make_user("al.coord.test", role="national_coordinator", organisation=org)


@pytest.fixture
def analyst(db):
    hub = make_organisation("HUB", sector=Sector.REGIONAL_CENTRE, name="Regional centre (test)")
    return make_user("hub.analyst.test", role="regional_analyst", organisation=hub)


@pytest.fixture
def frontline(db):
    return make_user("rs.frontline.test", role="frontline_professional")


def new_document(actor, participant, **values):
    from veza.knowledge.services import document_create

    fields = {
        "kind": "guide",
        "topic": "identification",
        "audience": "public",
        "language": "en",
        "title": "Recognising labour exploitation",
        "summary": "For labour inspectors.",
        "body": "Look at the pay slips and the working hours.",
    }
    fields.update(values)
    return document_create(actor=actor, participant=participant, **fields)
