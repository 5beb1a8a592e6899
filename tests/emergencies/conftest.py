import pytest

from tests.factories import make_organisation, make_user


@pytest.fixture
def border(db):
    return make_organisation("RS", name="Border Police Preševo (test)", sector="police")


@pytest.fixture
def reception(db):
    return make_organisation(
        "RS", name="Reception Centre Preševo (test)", sector="border_asylum_reception"
    )


@pytest.fixture
def coordination(db):
    return make_organisation(
        "RS", name="National Coordination (test)", sector="national_coordinator"
    )


@pytest.fixture
def coordinator(coordination):
    return make_user("coordinator-rs", role="national_coordinator", organisation=coordination)
