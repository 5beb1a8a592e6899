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
from dataclasses import dataclass, field

__all__ = ["Endpoint", "PermissionChecks"]


@dataclass(frozen=True)
class Endpoint:
    #: URL name inside the `api` namespace, e.g. "organisation-detail".
    name: str
    #: Role codes that may call it (a member of one of them gets 200).
    allowed_role: str
    #: For detail routes: builds (own object, other organisation's object) from the fixtures.
    objects: Callable | None = None
    #: For list routes: pulls the ids out of a response body.
    ids: Callable | None = None
    #: Why there is no "other organisation" case (e.g. public reference data).
    no_other_reason: str = ""
    methods: tuple[str, ...] = field(default=("get",))


class PermissionChecks:
    """Mixin-style checks, called by the parametrised tests for each `Endpoint`."""

    @staticmethod
    def anonymous(client, url, method="get"):
        response = getattr(client, method)(url)
        assert response.status_code in (401, 403), (url, response.status_code)

    @staticmethod
    def no_role(client, url, method="get"):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (url, response.status_code)

    @staticmethod
    def other_organisation(client, url, method="get"):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)

    @staticmethod
    def allowed(client, url, method="get"):
        response = getattr(client, method)(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response
