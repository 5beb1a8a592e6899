"""A database connection that dies between requests (the server restarted, or an administrator
ended the session) costs its thread one 503, not every later request (SECURITY.md row 26).

The backend serving this thread is ended from a second connection, as a restart would; the next
request fails cleanly, and the one after it is served on a new connection. Pages and the API
alike, and whether the failure meets the session middleware or the view.
"""

import psycopg
import pytest
from django.db import connection
from django.test import Client

from tests.factories import login_verified, make_case, make_user

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def end_this_threads_backend() -> None:
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        ended = other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    assert ended


@pytest.mark.parametrize("kind", ["api", "page"])
def test_a_connection_lost_between_requests_costs_one_503_then_service_resumes(organisation, kind):
    manager = make_user(role="case_manager", organisation=organisation)
    case = make_case(organisation, user=manager, age=20)
    client = login_verified(Client(raise_request_exception=False), manager)
    path = f"/api/v1/cases/{case.pk}/" if kind == "api" else f"/cases/{case.pk}/"
    assert client.get(path).status_code == 200

    end_this_threads_backend()
    lost = client.get(path)
    assert lost.status_code == 503
    assert lost["Retry-After"] == "5"
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
