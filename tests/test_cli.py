"""The `veza` command, the settings profiles and the demo data."""

import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from veza.core.audit import audit_verify
from veza.core.models import AuditEntry
from veza.organisations.choices import RoleCode
from veza.organisations.demo import DEMO_PASSWORD, demo_accounts, demo_load
from veza.organisations.models import Membership, Organisation

VEZA = [sys.executable, "-m", "veza"]


def run(args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("VEZA_", "DJANGO_"))}
    environment.pop("DATABASE_URL", None)
    environment.update({"VEZA_DATA_DIR": os.environ["VEZA_DATA_DIR"] + "-cli", **env})
    return subprocess.run(
        [*VEZA, *args], capture_output=True, text=True, env=environment, timeout=120
    )


def test_veza_without_arguments_explains_itself():
    result = run([])
    assert result.returncode == 0
    assert "veza serve" in result.stdout and "veza otp-code USER" in result.stdout


def test_production_refuses_to_start_without_secret_and_hosts():
    result = run(["check"], VEZA_ENV="production")
    assert result.returncode != 0
    assert "VEZA_SECRET_KEY" in result.stderr and "VEZA_ALLOWED_HOSTS" in result.stderr


def test_production_refuses_to_run_without_https():
    result = run(
        ["check"],
        VEZA_ENV="production",
        VEZA_SECRET_KEY="x" * 64,
        VEZA_ALLOWED_HOSTS="veza.example.org",
        VEZA_HTTPS="false",
    )
    assert result.returncode != 0 and "HTTPS" in result.stderr


def test_unknown_profile_is_refused():
    result = run(["check"], VEZA_ENV="staging")
    assert result.returncode != 0 and "VEZA_ENV" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        VEZA_ENV="production",
        VEZA_SECRET_KEY="k3y-" + "abcdefghij" * 6,
        VEZA_ALLOWED_HOSTS="veza.example.org",
        VEZA_KEYS_DIR=os.environ["VEZA_DATA_DIR"] + "-cli/keys",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_settings_mark_cookies_secure_and_send_hsts():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_SSL_REDIRECT",
    ]
    script = f"from django.conf import settings as s; print([getattr(s, n) for n in {names!r}])"
    result = run(
        ["shell", "-c", script],
        VEZA_ENV="production",
        VEZA_SECRET_KEY="k3y-" + "abcdefghij" * 6,
        VEZA_ALLOWED_HOSTS="veza.example.org",
        VEZA_KEYS_DIR=os.environ["VEZA_DATA_DIR"] + "-cli/keys",
    )
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip().splitlines()[-1]
        == "[True, True, True, True, True, 31536000, True, True]"
    )


@pytest.mark.django_db
def test_demo_creates_every_role_in_every_participant_and_is_idempotent():
    first = demo_load()
    second = demo_load()
    assert first["organisations"] >= 6 * 12 and second["organisations"] == 0
    User = get_user_model()
    for username, role, _org in demo_accounts():
        user = User.objects.get(username=username)
        assert user.is_demo and user.check_password(DEMO_PASSWORD)
        assert Membership.objects.filter(user=user, role__code=role).exists()
    assert {m.role.code for m in Membership.objects.all()} == set(RoleCode.values)
    assert Organisation.objects.filter(is_demo=True).count() == first["organisations"]
    assert AuditEntry.objects.filter(action="organisation.create").count() >= 73
    assert audit_verify().ok


@pytest.mark.django_db
def test_demo_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused on a production instance"):
        call_command("demo")
    assert not Organisation.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_otp_code_only_in_demo_mode(settings, capsys):
    demo_load()
    call_command("otp_code", "rs.frontline")
    assert capsys.readouterr().out.strip().isdigit()
    settings.DEMO = False
    with pytest.raises(CommandError, match="demo instances only"):
        call_command("otp_code", "rs.frontline")


@pytest.mark.django_db
def test_otp_code_refuses_accounts_that_are_not_demo_accounts(admin_user):
    with pytest.raises(CommandError, match="No demo account"):
        call_command("otp_code", admin_user.username)


@pytest.mark.django_db
def test_first_administrator_is_created_with_a_checked_password(tmp_path):
    weak = tmp_path / "weak"
    weak.write_text("password123")
    with pytest.raises(CommandError, match=r"too short|too common"):
        call_command(
            "administrator",
            "create",
            "chief",
            "--participant",
            "RS",
            "--organisation",
            "Ministry (test)",
            "--password-file",
            str(weak),
        )
    assert not get_user_model().objects.filter(username="chief").exists()
    assert not Organisation.objects.filter(name="Ministry (test)").exists()
    strong = tmp_path / "strong"
    strong.write_text("a long and unusual passphrase 7")
    call_command(
        "administrator",
        "create",
        "chief",
        "--participant",
        "RS",
        "--organisation",
        "Ministry (test)",
        "--password-file",
        str(strong),
    )
    chief = get_user_model().objects.get(username="chief")
    assert chief.has_perm("core.access_admin")


@pytest.mark.django_db
def test_roles_sync_restores_the_built_in_roles():
    from veza.organisations.models import Role

    role = Role.objects.get(code="frontline_professional")
    role.permissions.clear()
    call_command("roles", "sync")
    assert role.permissions.filter(codename="view_organisation").exists()


def test_password_policy(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for bad in ("short1", "password1234", "a" * 129, "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(bad)
    validate_password("twelve chars ok here")
    validate_password("x" * 20 + "y" * 108)  # 128 characters are allowed
