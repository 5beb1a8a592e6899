"""Step-up (SECURITY.md row 22): exports of personal data and statistics releases need a second
factor confirmed within the last VEZA_STEP_UP_SECONDS; wrong codes are refused, audited and
throttled like login codes, and nothing is exported without a fresh code."""

import json
import time

import pytest
import time_machine

from tests.factories import PASSWORD, current_code, login_verified, make_case, make_user
from veza.cases.services import identity_write
from veza.core.models import AuditEntry, LoginThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organisation):
    return make_user("su-manager", role="case_manager", organisation=organisation)


@pytest.fixture
def case(organisation, manager):
    case = make_case(organisation, user=manager, sex="female", age=22)
    identity_write(actor=manager, case=case, family_name="Stepupova")
    return case


def _exports():
    return AuditEntry.objects.filter(action="case.export").count()


def test_without_a_fresh_code_the_export_asks_for_one_and_exports_nothing(client, manager, case):
    login_verified(client, manager)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    # The export is a POST form on the case page, never a link.
    assert f'<form method="post" action="/cases/{case.pk}/export.json">' in page
    for url in (f"/cases/{case.pk}/export.json", f"/cases/{case.pk}/summary.pdf"):
        asked = client.post(url)
        assert asked.status_code == 403
        assert asked["Content-Type"].startswith("text/html") and "Content-Disposition" not in asked
        body = asked.content.decode()
        assert 'name="step_up-code"' in body and f'action="{url}"' in body
        assert "Stepupova" not in body
    assert _exports() == 0


def test_a_right_code_exports_at_once_and_counts_for_the_window(client, manager, case, settings):
    login_verified(client, manager)
    with time_machine.travel(time.time(), tick=False) as clock:
        url = f"/cases/{case.pk}/export.json"
        done = client.post(url, {"step_up-code": current_code(manager)})
        assert done.status_code == 200 and "attachment" in done["Content-Disposition"]
        assert json.loads(done.content)["person"]["familyName"] == "Stepupova"
        assert _exports() == 1
        assert AuditEntry.objects.filter(action="auth.step_up", actor_id=manager.pk).count() == 1
        # Within the window no code is asked again.
        clock.shift(settings.VEZA_STEP_UP_SECONDS - 30)
        pdf = client.post(f"/cases/{case.pk}/summary.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert _exports() == 2
        # After the window the code is asked again, and nothing is exported.
        clock.shift(60)
        again = client.post(url)
        assert again.status_code == 403 and 'name="step_up-code"' in again.content.decode()
        assert _exports() == 2


def test_a_wrong_code_is_refused_audited_and_throttled_like_login(client, manager, case, settings):
    settings.VEZA_LOGIN_FREE_FAILURES = 2
    login_verified(client, manager)
    url = f"/cases/{case.pk}/export.json"
    with time_machine.travel(time.time(), tick=False) as clock:
        wrong = client.post(url, {"step_up-code": current_code(manager, -5)})
        assert wrong.status_code == 400
        assert "not right or has already been used" in wrong.content.decode()
        assert AuditEntry.objects.filter(action="auth.step_up_failed").count() == 1
        # The same per-account counter as the login's.
        assert LoginThrottle.objects.filter(key__startswith="user:").get().failures == 1
        # Right away, even the right code waits (the authenticator's own back-off).
        held = client.post(url, {"step_up-code": current_code(manager)})
        assert held.status_code == 429 and "Content-Disposition" not in held
        clock.shift(5)
        # Past the free failures the account waits, as at login.
        assert client.post(url, {"step_up-code": current_code(manager, -6)}).status_code == 400
        clock.shift(5)
        blocked = client.post(url, {"step_up-code": current_code(manager)})
        assert blocked.status_code == 429 and "Too many attempts" in blocked.content.decode()
        assert _exports() == 0
        # The wait always ends: the right code works again.
        clock.shift(settings.VEZA_LOGIN_BACKOFF_CAP_SECONDS + 1)
        ok = client.post(url, {"step_up-code": current_code(manager)})
        assert ok.status_code == 200 and _exports() == 1
    # Not digits at all: the form says so, nothing is checked or exported.
    client.logout()
    login_verified(client, manager)
    assert client.post(url, {"step_up-code": "abcdef"}).status_code == 400
    assert _exports() == 1


def test_a_used_code_cannot_step_up_again(client, manager, case):
    login_verified(client, manager)
    url = f"/cases/{case.pk}/export.json"
    with time_machine.travel(time.time(), tick=False) as clock:
        code = current_code(manager)
        assert client.post(url, {"step_up-code": code}).status_code == 200
        client.logout()
        login_verified(client, manager)  # a new session, same code
        clock.shift(2)
        assert client.post(url, {"step_up-code": code}).status_code in (400, 429)
    assert _exports() == 1


def test_the_code_typed_at_login_counts_as_a_fresh_step_up(client, manager, case, settings):
    with time_machine.travel(time.time(), tick=False) as clock:
        client.post("/login/", {"username": manager.username, "password": PASSWORD})
        assert client.post("/login/verify/", {"code": current_code(manager)}).status_code == 302
        assert client.post(f"/cases/{case.pk}/export.json").status_code == 200
        clock.shift(settings.VEZA_STEP_UP_SECONDS + 1)
        assert client.post(f"/cases/{case.pk}/export.json").status_code == 403


def test_a_step_up_does_not_widen_the_scope(client, manager, case, other_org):
    foreign = make_case(other_org)
    login_verified(client, manager)
    assert client.post(f"/cases/{case.pk}/export.json", {"step_up-code": current_code(manager)})
    assert client.post(f"/cases/{foreign.pk}/export.json").status_code == 404
    stranger = make_user("su-none")
    login_verified(client, stranger)
    assert client.post(f"/cases/{case.pk}/export.json").status_code == 403
