"""Logging in with a password and a second factor, throttling, sessions and logging out."""

import time

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, current_code, make_user
from veza.core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/login/"
VERIFY = "/login/verify/"


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def full_login(client, user, **extra):
    assert password_step(client, user.username, **extra).status_code == 302
    return client.post(VERIFY, {"code": current_code(user)}, **extra)


def actions():
    return list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))


def test_login_with_password_and_code_reaches_the_home_page(client, member):
    response = password_step(client, "member")
    assert response.status_code == 302 and response["Location"] == VERIFY
    # The password alone opens nothing.
    assert client.get("/").status_code == 302
    response = client.post(VERIFY, {"code": current_code(member)})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert b"Frontline professional" in home.content
    entry = AuditEntry.objects.filter(action="auth.login").last()
    assert entry.actor_id == member.pk and entry.ip == "127.0.0.1"


def test_session_id_changes_at_login(client, member):
    client.get(LOGIN)
    password_step(client, "member")
    before = client.session.session_key
    client.post(VERIFY, {"code": current_code(member)})
    assert client.session.session_key != before


def test_unknown_user_and_wrong_password_get_the_same_answer(client, member):
    wrong = password_step(client, "member", "not the password at all")
    unknown = password_step(client, "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    strip = lambda r: r.content.decode().split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert b"The user name or the password is not right." in wrong.content
    assert actions().count("auth.login_failed") == 2


def test_wrong_code_is_refused_audited_and_changes_nothing(client, member):
    password_step(client, "member")
    response = client.post(
        VERIFY, {"code": "000000" if current_code(member) != "000000" else "111111"}
    )
    assert response.status_code == 400
    assert b"This code is not right" in response.content
    assert "auth.login_failed" in actions()
    assert client.get("/").status_code == 302


def test_a_code_works_only_once(client, member):
    code = current_code(member)
    password_step(client, "member")
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post("/logout/")
    password_step(client, "member")
    assert client.post(VERIFY, {"code": code}).status_code == 400


def test_a_code_works_only_inside_its_window(client, member):
    password_step(client, "member")
    with time_machine.travel(time.time(), tick=False) as clock:
        for offset in (-3, -2, 2, 3):
            assert client.post(VERIFY, {"code": current_code(member, offset)}).status_code == 400
            clock.shift(60)  # past the authenticator's own wait after a wrong code
        assert client.post(VERIFY, {"code": current_code(member)}).status_code == 302


def test_quick_retries_of_codes_are_slowed_down(client, member):
    password_step(client, "member")
    with time_machine.travel(time.time(), tick=False):
        client.post(VERIFY, {"code": current_code(member, -5)})
        response = client.post(VERIFY, {"code": current_code(member)})
        assert response.status_code == 429
        assert b"Too many wrong codes" in response.content


def test_code_with_letters_gets_a_clear_message(client, member):
    password_step(client, "member")
    response = client.post(VERIFY, {"code": "12ab56"})
    assert response.status_code == 200
    assert b"The code has digits only." in response.content


def test_verify_step_without_password_step_goes_back_to_login(client, member):
    response = client.post(VERIFY, {"code": current_code(member)})
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_first_login_without_authenticator_enrols_one(client, organisation):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("newcomer", role="case_manager", organisation=organisation, totp=False)
    response = password_step(client, "newcomer")
    assert client.get(response["Location"]).status_code == 302
    page = client.get("/login/enrol/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    response = client.post("/login/enrol/", {"code": current_code_unconfirmed(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "auth.second_factor_enrolled" in actions()


def current_code_unconfirmed(device):
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_throttle_backs_off_then_lets_the_right_password_in(client, member, settings):
    settings.VEZA_LOGIN_FREE_FAILURES = 3
    settings.VEZA_LOGIN_BACKOFF_SECONDS = 30
    settings.VEZA_LOGIN_BACKOFF_CAP_SECONDS = 120
    with time_machine.travel(time.time(), tick=False) as clock:
        for _ in range(4):
            password_step(client, "member", "wrong password here")
        blocked = password_step(client, "member")
        assert blocked.status_code == 429
        assert b"Too many attempts" in blocked.content
        # The wait ends: an attacker cannot lock the account for good.
        clock.shift(121)
        assert password_step(client, "member").status_code == 302


def test_throttle_counts_per_address_across_accounts(client, member, settings):
    settings.VEZA_LOGIN_FREE_FAILURES = 2
    with time_machine.travel(time.time(), tick=False):
        for name in ("a1", "a2", "a3"):
            password_step(client, name, "wrong password here")
        assert password_step(client, "member").status_code == 429
        other_address = password_step(client, "member", REMOTE_ADDR="10.9.8.7")
        assert other_address.status_code == 302


def test_logout_ends_the_session_on_the_server(client, member):
    full_login(client, member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post("/logout/")
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # replay the old cookie
    assert client.get("/").status_code == 302
    assert "auth.logout" in actions()


def test_logout_needs_post(member_client):
    assert member_client.get("/logout/").status_code == 405
    assert member_client.get("/").status_code == 200


def test_idle_session_expires_after_30_minutes(client, member):
    with time_machine.travel(time.time(), tick=False) as clock:
        full_login(client, member)
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200  # activity renews the idle window
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200
        clock.shift(31 * 60)
        response = client.get("/")
        assert response.status_code == 302
        follow = client.get(response["Location"])
        assert b"Your session has ended" in follow.content


def test_activity_saves_the_session_once_a_minute_and_never_extends_the_idle_limit(client, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return sum(
            1 for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
        )

    with time_machine.travel(time.time(), tick=False) as clock:
        full_login(client, member)
        assert session_writes() == 1  # the first page after login starts the idle window
        clock.shift(20)
        assert session_writes() == 0  # busy: no write per request
        clock.shift(20)
        assert session_writes() == 0
        clock.shift(30)
        assert session_writes() == 1  # a minute on: saved again, the window renewed
        # The window counts from that save: activity since it does not stretch it past 30 minutes.
        clock.shift(30)
        assert session_writes() == 0
        clock.shift(29 * 60 + 45)
        assert client.get("/").status_code == 302


def test_session_ends_after_12_hours_however_active(client, member):
    with time_machine.travel(time.time(), tick=False) as clock:
        full_login(client, member)
        for _ in range(24):  # 11 h 36 min of steady use
            clock.shift(29 * 60)
            assert client.get("/").status_code == 200
        clock.shift(25 * 60)
        assert client.get("/").status_code == 302
        assert AuditEntry.objects.filter(action="auth.logout", detail__reason="lifetime").exists()


def test_deactivated_user_is_refused_on_the_next_request(member_client, member):
    from veza.core.services import user_deactivate

    assert member_client.get("/").status_code == 200
    user_deactivate(actor="test", user=member)
    assert member_client.get("/").status_code == 302


def test_revoked_role_takes_effect_on_the_next_request(member_client, member):
    from veza.organisations.services import membership_deactivate

    assert member_client.get("/organisations/").status_code == 200
    membership_deactivate(actor="test", membership=member.memberships.get())
    assert member_client.get("/organisations/").status_code == 403


def test_session_without_second_factor_is_ended(client, member):
    client.force_login(member, backend="veza.organisations.backends.MembershipBackend")
    assert client.get("/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_password_alone_opens_no_case_page_and_no_api(client, organisation):
    """SECURITY.md row 1: with the password step done and no code, the case pages send back to
    the login (the session is ended) and the API answers 401, for a user who may see cases."""
    from tests.factories import make_case

    manager = make_user("pw-only", role="case_manager", organisation=organisation)
    case = make_case(organisation, user=manager)
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/identity/", "/cases/"):
        client.logout()
        assert password_step(client, "pw-only").status_code == 302
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), path
        assert case.code not in client.get(path, follow=True).content.decode()
    for path in (
        f"/api/v1/cases/{case.pk}/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/identity/",
    ):
        client.logout()
        password_step(client, "pw-only")
        response = client.get(path)
        assert response.status_code == 401 and case.code not in response.content.decode(), path


def test_forged_csrf_gets_a_clear_message_and_changes_nothing(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "member", "password": PASSWORD})
    assert response.status_code == 403
    assert b"did not come from Veza" in response.content
    assert "auth.login_failed" not in actions()


def test_open_redirect_after_login_is_refused(client, member):
    client.post(LOGIN + "?next=https://evil.example/", {"username": "member", "password": PASSWORD})
    response = client.post(VERIFY, {"code": current_code(member)})
    assert response["Location"] == reverse("organisations:home")


def test_argon2_is_the_password_hasher(settings):
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    assert make_password("a long enough passphrase").startswith("argon2$argon2id$")
