"""The pages of the foundation: home by role, the directory, the account, languages, admin."""

import re

import pytest
from django.urls import reverse

from tests.factories import login_verified, make_organisation, make_user
from veza.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_home_shows_the_users_roles_and_what_they_can_do(member_client, organisation):
    page = member_client.get("/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Frontline professional" in text and organisation.name in text
    assert reverse("organisations:organisation-list") in text
    assert reverse("admin:index") not in text  # not an administrator


def test_home_of_an_administrator_links_to_administration(admin_client):
    page = admin_client.get("/")
    assert reverse("admin:index") in page.content.decode()
    assert admin_client.get("/admin/").status_code == 200


def test_user_without_a_role_is_told_why(norole_client):
    page = norole_client.get("/")
    assert page.status_code == 403
    assert b"no role in any organisation" in page.content


def test_administration_is_refused_to_other_roles(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == 302
    assert member_client.get(response["Location"]).status_code == 403


def test_directory_lists_own_participant_only_and_filters(member_client, organisation, other_org):
    make_organisation("RS", name="Shelter Novi Sad", sector="shelter_protection")
    text = member_client.get("/organisations/").content.decode()
    assert organisation.name in text and other_org.name not in text
    text = member_client.get("/organisations/", {"sector": "shelter_protection"}).content.decode()
    assert "Shelter Novi Sad" in text and organisation.name not in text
    text = member_client.get("/organisations/", {"q": "novi"}).content.decode()
    assert "Shelter Novi Sad" in text


def test_directory_filter_with_bad_input_is_explained(member_client):
    page = member_client.get("/organisations/", {"sector": "no-such-sector"})
    assert page.status_code == 200
    assert b"Select a valid choice" in page.content


def test_other_participants_organisation_is_not_found(member_client, other_org):
    assert member_client.get(f"/organisations/{other_org.pk}/").status_code == 404


def test_coordinator_sees_members_frontline_does_not(client, organisation, member):
    coordinator = make_user("coord", role="national_coordinator", organisation=organisation)
    login_verified(client, coordinator)
    assert "member" in client.get(f"/organisations/{organisation.pk}/").content.decode()
    login_verified(client, member)
    assert b"Members" not in client.get(f"/organisations/{organisation.pk}/").content


def test_language_switch_is_saved_on_the_account_and_audited(member_client, member):
    response = member_client.post("/language/", {"language": "sr", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    member.refresh_from_db()
    assert member.language == "sr"
    page = member_client.get("/")
    assert '<html lang="sr"' in page.content.decode()
    assert AuditEntry.objects.filter(action="user.language", actor_id=member.pk).exists()


def test_every_language_renders_every_page(member_client, settings):
    for code, _name in settings.LANGUAGES:
        member_client.post("/language/", {"language": code, "next": "/"})
        for url in ("/", "/organisations/", "/account/"):
            page = member_client.get(url)
            assert page.status_code == 200, (code, url)
            assert f'lang="{code}"' in page.content.decode()


def test_unknown_language_is_refused_with_a_message_and_nothing_changes(member_client, member):
    response = member_client.post("/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert b"This language is not available" in response.content
    member.refresh_from_db()
    assert member.language == ""


def test_language_switch_refuses_to_redirect_elsewhere(client):
    response = client.post("/language/", {"language": "hr", "next": "https://evil.example/"})
    assert response["Location"] == "/login/"


@pytest.mark.parametrize("url", ["/", "/organisations/", "/account/", "/login/"])
def test_pages_carry_strict_security_headers_and_no_inline_script(member_client, url):
    response = member_client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(r"\sstyle=", html), "inline style"
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_static_files_are_served_by_veza(client):
    assert client.get("/static/veza/veza.css").status_code == 200


def test_forms_have_labels_for_every_input(client):
    html = client.get("/login/").content.decode()
    for input_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id


def test_administrator_removes_a_lost_authenticator_without_seeing_its_secret(admin_client, member):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=member)
    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    for url in (f"/admin/otp_totp/totpdevice/{device.pk}/config/", "/admin/otp_totp/totpdevice/"):
        assert device.key not in admin_client.get(url, follow=True).content.decode()
    response = admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEntry.objects.filter(action="totpdevice.delete", object_id=str(device.pk)).exists()


def test_password_change_checks_the_policy_and_is_audited(member_client, member):
    from tests.factories import PASSWORD

    weak = member_client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert weak.status_code == 400 and b"too short" in weak.content
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    good = "a brand new passphrase 9"
    response = member_client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": good, "new_password2": good},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(good)
    assert AuditEntry.objects.filter(action="user.password_change", actor_id=member.pk).exists()
    assert member_client.get("/account/").status_code == 200  # still logged in
