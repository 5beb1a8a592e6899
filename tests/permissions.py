"""The permission test mixin: every endpoint, every kind of caller.

Each API endpoint is described once in `ENDPOINTS` (see tests/test_api_permissions.py). For each
one the suite checks, with real HTTP through Django's test client:

- anonymous caller        → 401 (or 403)
- authenticated, no role  → 403
- object of another organisation (detail routes) → 404, and list routes never contain it
- caller with the permission → 200

`tests/test_api_permissions.py::test_every_api_route_is_covered` fails when a route exists that
`ENDPOINTS` does not describe, so a new endpoint cannot land without these checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Endpoint", "PermissionChecks"]


@dataclass(frozen=True)
class Endpoint:
    #: URL name inside the `api` namespace, e.g. "organisation-detail".
    name: str
    #: Role codes that may call it (a member of one of them gets 200).
    allowed_role: str
    #: For detail routes: builds (own object, other organisation's object) from the fixtures.
    objects: Callable | None = None
    #: For list routes: the organisation ids of the rows in a response body.
    ids: Callable | None = None
    #: For list routes: makes the records (own and other organisation's) the list is checked on.
    prepare: Callable | None = None
    #: Why there is no "other organisation" case (e.g. public reference data).
    no_other_reason: str = ""
    #: HTTP method, request body (built from the own object) and the success status.
    method: str = "get"
    payload: Callable | None = None
    ok_status: int = 200
    #: For creates that need the caller's own records: builds the body from (organisation, user).
    body_factory: Callable | None = None


def call(client, url, method="get", body=None, **headers):
    if method == "get":
        return client.get(url, **headers)
    files = [v for v in (body or {}).values() if hasattr(v, "read")]
    if files:  # an upload: sent as multipart/form-data, each file from its start
        for file in files:
            file.seek(0)
        return getattr(client, method)(url, body, **headers)
    return getattr(client, method)(url, body or {}, content_type="application/json", **headers)


class PermissionChecks:
    """Mixin-style checks, called by the parametrised tests for each `Endpoint`."""

    @staticmethod
    def anonymous(client, url, method="get", body=None):
        response = call(client, url, method, body)
        assert response.status_code in (401, 403), (url, response.status_code)

    @staticmethod
    def no_role(client, url, method="get", body=None):
        response = call(client, url, method, body)
        assert response.status_code == 403, (url, response.status_code)

    @staticmethod
    def other_organisation(client, url, method="get", body=None):
        response = call(client, url, method, body)
        assert response.status_code == 404, (url, response.status_code)

    @staticmethod
    def allowed(client, url, method="get", body=None, status=200):
        response = call(client, url, method, body)
        assert response.status_code == status, (url, response.status_code, response.content[:300])
        return response
