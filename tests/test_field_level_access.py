"""Field level (SECURITY.md row 10), per role, through the API: the identity of a person only with
the identity permission in the organisation that owns the case; the case's own answers never carry
identity fields; a referral shows the receiving organisation only the fields chosen."""

import pytest

from tests.factories import login_verified, make_case, make_organisation, make_referral, make_user
from veza.cases.services import IDENTITY_FIELDS, identity_write
from veza.organisations.choices import RoleCode
from veza.organisations.models import Role

pytestmark = pytest.mark.django_db

IDENTITY_KEYS = set(IDENTITY_FIELDS)
ROLES = [code for code in RoleCode.values if code != "administrator"]


def role_perms(code):
    role = Role.objects.get(code=code)
    return {f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()}


def keys(value):
    """Every key anywhere in a JSON answer."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys(v)}
    return set()


@pytest.fixture
def case(organisation):
    manager = make_user(role="case_manager", organisation=organisation)
    case = make_case(organisation, user=manager, sex="female", age=24)
    identity_write(actor=manager, case=case, given_names="Arta", family_name="Berisha")
    return case


@pytest.mark.parametrize("role", ROLES)
def test_identity_by_role_in_the_owning_organisation(client, case, organisation, role):
    user = make_user(role=role, organisation=organisation)
    login_verified(client, user)
    answer = client.get(f"/api/v1/cases/{case.pk}/")
    if answer.status_code == 200:
        assert not keys(answer.json()) & IDENTITY_KEYS, role
        assert "Berisha" not in answer.content.decode()
    listed = client.get("/api/v1/cases/")
    if listed.status_code == 200:
        assert "Berisha" not in listed.content.decode()
    identity = client.get(f"/api/v1/cases/{case.pk}/identity/")
    if "cases.view_identity" in role_perms(role):
        assert identity.status_code == 200 and identity.json()["family_name"] == "Berisha"
    else:
        assert identity.status_code in (403, 404), (role, identity.status_code)
        assert "Berisha" not in identity.content.decode()


@pytest.mark.parametrize("role", ["case_manager", "identification_officer", "national_coordinator"])
def test_identity_permission_elsewhere_does_not_open_this_case(client, case, role):
    """The same role in another organisation (even of the same participant) opens nothing."""
    participant = "RS" if role != "national_coordinator" else "MK"
    login_verified(client, make_user(role=role, organisation=make_organisation(participant)))
    for path in (f"/api/v1/cases/{case.pk}/", f"/api/v1/cases/{case.pk}/identity/"):
        response = client.get(path)
        assert response.status_code in (403, 404) and "Berisha" not in response.content.decode()


def test_a_referral_shows_only_the_fields_chosen(client, case, organisation):
    manager = make_user(role="case_manager", organisation=organisation)
    referral = make_referral(case, manager=manager, shared_fields=["age", "given_names"])
    shelter = referral.service
    provider = make_user(role="service_provider", organisation=shelter.organisation)
    login_verified(client, provider)
    shared = client.get(f"/api/v1/referrals/{referral.pk}/shared/").json()
    assert shared["age"] == 24 and shared["given_names"] == "Arta"
    assert not {"family_name", "sex", "citizenship"} & set(shared)
    assert "Berisha" not in client.get(f"/api/v1/referrals/{referral.pk}/").content.decode()
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
