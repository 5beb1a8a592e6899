"""The API skeleton: tokens, errors, pagination, schema."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tests.factories import make_organisation, make_user
from veza.core.models import ApiToken, AuditEntry
from veza.core.services import user_deactivate
from veza.core.tokens import token_create, token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_user(organisation):
    return make_user("integrator", role="case_manager", organisation=organisation)


def get(client, url, token, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Token {token}")


def test_me_shows_user_roles_and_permissions(client, token_user, organisation):
    _t, text = token_create(actor="test", user=token_user)
    body = get(client, "/api/v1/users/me/", text).json()
    assert body["username"] == "integrator"
    assert "organisations.view_organisation" in body["permissions"]
    assert body["memberships"][0]["organisation"]["id"] == organisation.pk
    assert body["memberships"][0]["role"] == "case_manager"


def test_list_is_paginated_and_next_links_reach_every_row(client, token_user):
    for i in range(7):
        make_organisation("RS", name=f"Paged organisation {i}")
    _t, text = token_create(actor="test", user=token_user)
    url, seen, pages = "/api/v1/organisations/?page_size=3", [], 0
    while url:
        body = client.get(url, HTTP_AUTHORIZATION=f"Token {text}").json()
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3 and len(seen) == len(set(seen)) == 8 == body["count"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t.replace("vz_", "xx_"),
        lambda t: "vz_deadbeef_" + "a" * 43,
        lambda t: t + "é",
        lambda t: "",
    ],
)
def test_tampered_token_gets_401_with_a_message_and_an_audit_entry(client, token_user, mangle):
    _t, text = token_create(actor="test", user=token_user)
    response = client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {mangle(text)}")
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_wrong_token_is_audited(client, token_user):
    _t, text = token_create(actor="test", user=token_user)
    client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {text[:-2]}zz")
    assert AuditEntry.objects.filter(action="auth.token_failed").exists()


def test_token_errors_are_translated(client, token_user):
    response = client.get(
        "/api/v1/users/me/", HTTP_AUTHORIZATION="Token nonsense", HTTP_ACCEPT_LANGUAGE="hr"
    )
    assert response.status_code == 401
    assert response["Content-Language"] == "hr"


def test_revoked_expired_and_deactivated_tokens_stop_working(client, token_user):
    token, text = token_create(actor="test", user=token_user)
    assert get(client, "/api/v1/users/me/", text).status_code == 200
    token_revoke(actor="test", token=token)
    assert get(client, "/api/v1/users/me/", text).status_code == 401

    token, text = token_create(actor="test", user=token_user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert get(client, "/api/v1/users/me/", text).status_code == 401

    _token, text = token_create(actor="test", user=token_user)
    assert get(client, "/api/v1/users/me/", text).status_code == 200
    user_deactivate(actor="test", user=token_user)
    assert get(client, "/api/v1/users/me/", text).status_code == 401


def test_token_secret_is_never_stored(token_user):
    _token, text = token_create(actor="test", user=token_user)
    secret = text.split("_", 2)[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT prefix, digest FROM core_apitoken")
        rows = cursor.fetchall()
    assert rows and all(secret not in " ".join(row) for row in rows)


def test_token_command_creates_lists_and_revokes_with_audit(token_user, capsys):
    call_command("token", "create", "integrator", "--label", "nightly export")
    out = capsys.readouterr()
    text = out.out.strip()
    assert text.startswith("vz_")
    assert AuditEntry.objects.filter(
        action="api_token.create", detail__label="nightly export"
    ).exists()
    prefix = text.split("_")[1]
    call_command("token", "list", "integrator")
    assert prefix in capsys.readouterr().out
    call_command("token", "revoke", prefix)
    assert ApiToken.objects.get(prefix=prefix).revoked_at is not None


def test_token_command_refuses_unknown_and_deactivated_users(token_user):
    with pytest.raises(CommandError, match="No account"):
        call_command("token", "create", "ghost")
    user_deactivate(actor="test", user=token_user)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("token", "create", "integrator")
    assert not ApiToken.objects.exists()


def test_session_without_second_factor_is_refused_on_the_api(client, token_user):
    client.force_login(token_user, backend="veza.organisations.backends.MembershipBackend")
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 401 and response.json()["detail"]


def test_verified_session_works_on_the_api(member_client):
    assert member_client.get("/api/v1/users/me/").json()["username"] == "member"


def test_schema_describes_the_api(client, token_user):
    _t, text = token_create(actor="test", user=token_user)
    response = get(client, "/api/v1/schema/", text, format="json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/users/me/", "/api/v1/organisations/", "/api/v1/organisations/{id}/"} <= set(
        paths
    )


def test_unknown_id_and_bad_id_are_404(client, token_user):
    _t, text = token_create(actor="test", user=token_user)
    assert get(client, "/api/v1/organisations/999999/", text).status_code == 404
    assert get(client, "/api/v1/organisations/abc/", text).status_code == 404


def test_a_revoked_role_stops_the_token_on_its_next_request(client, token_user):
    """SECURITY.md row 7: taking a role away works on the very next API call, tokens included."""
    from veza.organisations.models import Membership
    from veza.organisations.services import membership_deactivate

    _token, text = token_create(actor="test", user=token_user)
    assert get(client, "/api/v1/cases/", text).status_code == 200
    membership_deactivate(actor="test", membership=Membership.objects.get(user=token_user))
    assert get(client, "/api/v1/cases/", text).status_code == 403


def test_no_token_for_an_account_without_a_second_factor(organisation):
    """SECURITY.md row 1: the second factor is enforced for the creation of API tokens too."""
    from veza.core.errors import PermissionDeniedError

    user = make_user("no-otp", role="case_manager", organisation=organisation, totp=False)
    with pytest.raises(PermissionDeniedError):
        token_create(actor="test", user=user)
    assert not ApiToken.objects.filter(user=user).exists()
