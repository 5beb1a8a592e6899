import pytest

from tests.factories import login_verified, make_organisation, make_user
from veza.feedback.services import link_token


@pytest.fixture
def provider(db):
    return make_user(
        "fb-provider", role="service_provider", organisation=make_organisation("RS", name="Shelter")
    )


@pytest.fixture
def provider_client(client, provider):
    return login_verified(client, provider)


@pytest.fixture
def token(db):
    return link_token(participant_code="RS", service_type="shelter")
