"""Security headers and cookie flags on every route, as served over HTTPS in production.

Every route of the URL configuration is requested (as a signed-in coordinator and as an anonymous
visitor), whatever it answers — a page, a redirect, a refusal, an API error — and every answer must
carry the same headers. The cookies set at login must be Secure, HttpOnly and SameSite.
"""

import pytest
from django.conf import settings

from tests.core.test_login import full_login
from tests.factories import login_verified, make_user
from tests.test_url_walk import ROUTES

pytestmark = pytest.mark.django_db

HTTPS_SETTINGS = {
    "HTTPS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
}


@pytest.fixture
def https(settings):
    for name, value in HTTPS_SETTINGS.items():
        setattr(settings, name, value)


def assert_strict_headers(response, where):
    csp = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp or "default-src 'none'" in csp, where
    assert "frame-ancestors 'none'" in csp, where
    script_src = next((d for d in csp.split(";") if d.strip().startswith("script-src")), "")
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src, where
    assert response.get("Strict-Transport-Security", "").startswith("max-age=31536000"), where
    assert "includeSubDomains" in response["Strict-Transport-Security"], where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("Referrer-Policy") == "same-origin", where
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", where
    if response.status_code != 302:
        assert "no-store" in response.get("Cache-Control", ""), where


@pytest.fixture
def coordinator_client(client, organisation):
    user = make_user(role="national_coordinator", organisation=organisation)
    return login_verified(client, user)


def test_every_route_carries_the_headers_for_a_signed_in_user(https, coordinator_client):
    for name, path in ROUTES:
        for method in ("get", "post"):
            response = getattr(coordinator_client, method)(path, secure=True)
            assert_strict_headers(response, (name, path, method, response.status_code))


def test_every_route_carries_the_headers_for_an_anonymous_visitor(https, client):
    for name, path in ROUTES:
        response = client.get(path, secure=True)
        assert_strict_headers(response, (name, path, response.status_code))


def test_plain_http_is_sent_to_https(https, client):
    response = client.get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")


def _cookie_flags(cookie):
    return bool(cookie["secure"]), bool(cookie["httponly"]), cookie["samesite"]


def test_cookies_set_at_login_are_secure_httponly_and_samesite(https, client, member):
    client.get("/login/", secure=True)
    assert _cookie_flags(client.cookies[settings.CSRF_COOKIE_NAME]) == (True, True, "Lax")
    client.post(
        "/language/", {"language": "sq", "next": "/login/"}, secure=True
    )  # the language cookie
    full_login(client, member, secure=True)
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME, "veza_signed_in"):
        assert name in client.cookies, name
        assert _cookie_flags(client.cookies[name]) == (True, True, "Lax"), name
    assert _cookie_flags(client.cookies[settings.LANGUAGE_COOKIE_NAME]) == (True, True, "Lax")
