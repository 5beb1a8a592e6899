import os

import pytest
from django.db import connection
from hypothesis import settings as hypothesis_settings

from tests.factories import login_verified, make_organisation, make_user

# The fuzz tests (hypothesis) are deterministic in CI: the same examples on every run, so that a
# red build is reproducible and never the luck of a draw; locally they explore anew each run.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (run by `make test` on a throw-away cluster)")
    for item in items:
        if "postgres_only" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # argon2 stays the hasher of record (tested on its own); fixtures need not pay for it.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]


@pytest.fixture(autouse=True)
def _small_glotip_for_the_demo(settings):
    # The demo imports the real GLOTIP export when it lies beside the project; tests that load
    # the demo use the small synthetic file of the same layout (the real one has its own test).
    from pathlib import Path

    settings.VEZA_GLOTIP_FILE = str(Path(__file__).parent / "statistics/fixtures/glotip_small.xlsx")


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Background tasks run in the test process as soon as they are queued (after the commit).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def organisation(db):
    return make_organisation("RS")


@pytest.fixture
def other_org(db):
    """An organisation of another participant, outside the member's scope."""
    return make_organisation("BA")


@pytest.fixture
def member(organisation):
    return make_user("member", role="frontline_professional", organisation=organisation)


@pytest.fixture
def member_client(client, member):
    return login_verified(client, member)


@pytest.fixture
def norole_user(db):
    return make_user("norole")


@pytest.fixture
def norole_client(client, norole_user):
    return login_verified(client, norole_user)


@pytest.fixture
def admin_user(db):
    hub = make_organisation("HUB", name="Hub office")
    return make_user("administrator", role="administrator", organisation=hub)


@pytest.fixture
def admin_client(client, admin_user):
    return login_verified(client, admin_user)
