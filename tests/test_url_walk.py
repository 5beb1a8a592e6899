"""Deny by default: every URL pattern, walked as a user without roles and as an anonymous visitor.

Only the reviewed public pages below may answer them; everything else must refuse (403/404/405,
401 for the API, or a redirect to a login page that itself refuses).
"""

import re

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

#: Reviewed public pages: reaching them without a role is their purpose.
PUBLIC = {
    "core:login",  # the login page
    "core:login-verify",  # second step of login (needs the first step's session)
    "core:login-enrol",  # first-login set-up of the authenticator (same)
    "core:logout",  # POST only; ends whatever session there is
    "core:set-language",  # POST only; the language choice
    "core:health",  # database up or down, no data
    "admin:logout",  # the same logout as core:logout
    "federation:inbox",  # packets authenticate themselves (tests/federation/test_inbox.py)
    # The public guidance library: published documents meant for everyone, nothing else
    # (drafts, withdrawn and professionals-only documents are 404: tests/knowledge/test_pages.py).
    "knowledge:public-list",
    "knowledge:public-detail",
    "knowledge:public-detail-language",
    "knowledge:public-pdf",
    # The anonymous survivor feedback form: the signed link is its only key, no login by design
    # (a bad token gets the "link does not work" page; tests/feedback/test_public_form.py).
    "feedback:form",
    "feedback:thanks",  # the thanks after it: fixed text, no data
    # The public self-check for people at risk: anonymous by design, no personal data, no
    # cookie (tests/prevention/test_public_pages.py).
    "prevention:index",  # the language picker
    "prevention:check",  # the questions, and the result of a POST (only a count is kept)
    "prevention:rights",  # the "rights" and "get help" sheets, read-only
    "prevention:leaflet",  # the printable leaflet (PDF)
}

#: Pages for any signed-in person, role or not, that touch only the caller's own records (the
#: pool's interpreters sign in without a role). Anonymous visitors are still refused.
OWN_ONLY = {
    "referrals:notices-read",  # marks the caller's own notices as read
}

CANDIDATES = ("1", "json", "core", "organisations", "auth")


def _sample(name: str, pattern) -> str | None:
    """A concrete path for a route: every argument tried with a few plausible values."""
    regex = pattern.regex
    groups = list(regex.groupindex)
    if not groups:
        return None
    for value in CANDIDATES:
        kwargs = {g: ("json" if g == "format" else value) for g in groups}
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build a sample URL for {name}")


def _literal(pattern: str) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "1", pattern).lstrip("^").rstrip("$")


def named_patterns(patterns=None, namespace=None):
    """(namespaced name, pattern) of every named route of the URL configuration."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace) if x) if p.namespace else namespace
            yield from named_patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), p


def all_routes():
    routes = []

    def walk(patterns, namespace, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = (
                    ":".join(x for x in (namespace, p.namespace) if x) if p.namespace else namespace
                )
                walk(p.url_patterns, ns, prefix + _literal(str(p.pattern)))
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                routes.append((name, _sample(name, p.pattern) or reverse(name)))
            elif isinstance(p, URLPattern):
                # Unnamed routes (the admin's catch-all redirect) are walked by their shape.
                routes.append((f"unnamed {p.pattern}", "/" + prefix + _literal(str(p.pattern))))

    walk(get_resolver().url_patterns, None, "")
    return routes


ROUTES = all_routes()


def test_the_walk_sees_every_kind_of_route():
    names = {name for name, _path in ROUTES}
    assert {"organisations:home", "api:organisation-list", "admin:index"} <= names
    assert len(ROUTES) > 40


def _refused(client, path, response):
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code == 302:
        target = response["Location"]
        if target.startswith("/login/"):
            return True
        if target.startswith("/admin/login/"):
            return client.get(target).status_code in (302, 403)
    return False


@pytest.mark.parametrize(
    ("name", "path"), [r for r in ROUTES if r[0] not in PUBLIC | OWN_ONLY], ids=str
)
def test_user_without_roles_is_refused_everywhere(norole_client, name, path):
    for method in ("get", "post"):
        response = getattr(norole_client, method)(path)
        assert _refused(norole_client, path, response), (name, path, method, response.status_code)


@pytest.mark.parametrize(("name", "path"), [r for r in ROUTES if r[0] not in PUBLIC], ids=str)
def test_anonymous_visitor_is_refused_everywhere(client, name, path):
    response = client.get(path)
    assert _refused(client, path, response), (name, path, response.status_code)


def test_public_list_names_only_existing_routes():
    assert {name for name, _path in ROUTES} >= PUBLIC
