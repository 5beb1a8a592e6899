"""Every API endpoint through the permission mixin (see tests/permissions.py)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import login_verified, make_organisation, make_user
from tests.permissions import Endpoint, PermissionChecks

pytestmark = pytest.mark.django_db


def _org_pair(organisation, other_org):
    return {"pk": organisation.pk}, {"pk": other_org.pk}


def _participant_pair(organisation, other_org):
    return {"pk": organisation.participant_id}, None


def _result_ids(body):
    return {row["id"] for row in body["results"]}


ENDPOINTS = [
    Endpoint("user-me", "frontline_professional", no_other_reason="always the caller"),
    Endpoint("schema", "frontline_professional", no_other_reason="no organisation data"),
    Endpoint("docs", "frontline_professional", no_other_reason="no organisation data"),
    Endpoint("organisation-list", "frontline_professional", ids=_result_ids),
    Endpoint("organisation-detail", "frontline_professional", objects=_org_pair),
    Endpoint("participant-list", "frontline_professional", no_other_reason="public reference list"),
    Endpoint(
        "participant-detail",
        "frontline_professional",
        objects=_participant_pair,
        no_other_reason="public reference list",
    ),
]


def _api_route_names():
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and namespace == "api" and p.name:
                names.add(p.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_api_route_is_covered():
    missing = _api_route_names() - {e.name for e in ENDPOINTS}
    assert not missing, f"API routes without permission tests: {sorted(missing)}"


def _url(endpoint, organisation, other_org):
    if endpoint.objects is None:
        return reverse(f"api:{endpoint.name}"), None
    own, other = endpoint.objects(organisation, other_org)
    other_url = reverse(f"api:{endpoint.name}", kwargs=other) if other else None
    return reverse(f"api:{endpoint.name}", kwargs=own), other_url


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_anonymous_is_refused(client, organisation, other_org, endpoint):
    url, _other = _url(endpoint, organisation, other_org)
    for method in endpoint.methods:
        PermissionChecks.anonymous(client, url, method)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_no_role_is_refused(norole_client, organisation, other_org, endpoint):
    url, _other = _url(endpoint, organisation, other_org)
    for method in endpoint.methods:
        PermissionChecks.no_role(norole_client, url, method)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_allowed_role_gets_200_and_never_sees_other_organisations(
    client, organisation, other_org, endpoint
):
    user = make_user("allowed", role=endpoint.allowed_role, organisation=organisation)
    login_verified(client, user)
    url, other_url = _url(endpoint, organisation, other_org)
    response = PermissionChecks.allowed(client, url)
    if other_url:
        PermissionChecks.other_organisation(client, other_url)
    if endpoint.ids:
        seen = endpoint.ids(response.json())
        assert organisation.pk in seen
        assert other_org.pk not in seen
    if not (other_url or endpoint.ids):
        assert endpoint.no_other_reason, f"{endpoint.name}: say why there is no other-org check"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_token_caller_gets_the_same_answers(client, organisation, other_org, endpoint):
    from veza.core.tokens import token_create

    user = make_user("tokenuser", role=endpoint.allowed_role, organisation=organisation)
    _token, text = token_create(actor="test", user=user)
    url, other_url = _url(endpoint, organisation, other_org)
    headers = {"HTTP_AUTHORIZATION": f"Token {text}"}
    assert client.get(url, **headers).status_code == 200
    if other_url:
        assert client.get(other_url, **headers).status_code == 404
    nobody = make_user("tokennorole")
    _t, nobody_text = token_create(actor="test", user=nobody)
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {nobody_text}").status_code == 403


def test_regional_role_sees_every_participants_organisations(client, organisation, other_org):
    hub = make_organisation("HUB", name="Hub")
    analyst = make_user("analyst", role="regional_analyst", organisation=hub)
    login_verified(client, analyst)
    ids = _result_ids(client.get(reverse("api:organisation-list"), {"page_size": 200}).json())
    assert {organisation.pk, other_org.pk} <= ids
