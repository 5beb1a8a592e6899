"""Break-the-glass (SECURITY.md row 11): emergency access to one case of another organisation of
the same participant needs a written reason, is time-limited, read-only and audited, never shows
in lists, and the national coordinator and the owning organisation are told at once."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.factories import login_verified, make_case, make_organisation, make_user
from veza.cases.emergency import emergency_access_open
from veza.cases.models import EmergencyAccess
from veza.cases.services import identity_write
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.core.models import AuditEntry
from veza.referrals.models import Notification

pytestmark = pytest.mark.django_db

REASON = "Person brought to the border crossing at night, needs shelter placement now"
FORM = "/cases/break-glass/"
LOG = "/cases/break-glass/log/"


@pytest.fixture
def world():
    """Two organisations of RS (the asker's and the case's), a coordinator of RS, and a case of
    another participant."""
    asker_org = make_organisation("RS", name="Asker org")
    owner_org = make_organisation("RS", name="Owner org")
    asker = make_user("bg-asker", role="case_manager", organisation=asker_org)
    owner = make_user("bg-owner", role="case_manager", organisation=owner_org)
    coordinator = make_user(
        "bg-coord", role="national_coordinator", organisation=make_organisation("RS")
    )
    case = make_case(owner_org, user=owner, age=17, is_child=True)
    identity_write(actor=owner, case=case, given_names="Ana", family_name="Kovač")
    foreign = make_case(make_organisation("BA"))
    return {
        "asker": asker,
        "owner": owner,
        "coordinator": coordinator,
        "case": case,
        "foreign": foreign,
    }


def _open(client, reference, reason=REASON, hours=1):
    return client.post(FORM, {"reference": reference, "reason": reason, "hours": hours})


def test_without_the_permission_the_page_and_the_service_refuse(client, world):
    frontline = make_user(
        "bg-front", role="frontline_professional", organisation=make_organisation("RS")
    )
    login_verified(client, frontline)
    assert client.get(FORM).status_code == 403
    assert _open(client, world["case"].code).status_code == 403
    with pytest.raises(PermissionDeniedError):
        emergency_access_open(actor=frontline, reference=world["case"].code, reason=REASON, hours=1)
    assert not EmergencyAccess.objects.exists()


def test_a_short_reason_is_refused_with_a_translated_error_and_nothing_written(client, world):
    login_verified(client, world["asker"])
    before = AuditEntry.objects.count()
    response = _open(client, world["case"].code, reason="urgent")
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    # Only the hours offered: 1, 4 or 8.
    assert _open(client, world["case"].code, hours=24).status_code == 400
    assert not EmergencyAccess.objects.exists()
    assert AuditEntry.objects.count() == before


def test_unknown_and_foreign_references_get_the_same_answer_and_nothing_is_written(client, world):
    login_verified(client, world["asker"])
    before = AuditEntry.objects.count()
    answers = []
    for reference in (world["foreign"].code, "RS-2020-ZZZZZZ", "not a reference"):
        response = _open(client, reference)
        assert response.status_code == 400
        errors = response.content.decode().split('id="id_reference_error"')[1]
        answers.append(errors.split("</ul>")[0])
    assert answers[0] == answers[1] == answers[2]
    assert "No case of your participant has this reference" in answers[0]
    assert not EmergencyAccess.objects.exists() and not Notification.objects.exists()
    assert AuditEntry.objects.count() == before
    # The service gives the same answer too.
    with pytest.raises(ValidationError) as foreign:
        emergency_access_open(
            actor=world["asker"], reference=world["foreign"].code, reason=REASON, hours=1
        )
    with pytest.raises(ValidationError) as unknown:
        emergency_access_open(
            actor=world["asker"], reference="RS-2020-ZZZZZZ", reason=REASON, hours=1
        )
    assert foreign.value.as_dict() == unknown.value.as_dict()


def test_a_grant_opens_the_case_by_id_only_with_a_banner_and_audited_reads(client, world):
    case, asker = world["case"], world["asker"]
    login_verified(client, asker)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    response = _open(client, case.code.lower(), hours=4)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    grant = EmergencyAccess.objects.get()
    assert (grant.user, grant.case, grant.reason, grant.hours) == (asker, case, REASON, 4)
    assert grant.expires_at - grant.granted_at == timedelta(hours=4)
    opened = AuditEntry.objects.get(action="case.break_glass")
    assert opened.detail["grant"] == grant.pk and REASON not in str(opened.detail)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    until = timezone.localtime(grant.expires_at).strftime("%H:%M")
    assert f"Emergency access to case {case.code} until {until}" in page
    assert "every action is recorded" in page
    # The banner follows the user to every page while the grant lasts.
    assert case.code in client.get("/").content.decode()
    # Identity: the identity permission held in the asker's own organisation counts.
    identity = client.get(f"/cases/{case.pk}/identity/")
    assert identity.status_code == 200 and "Kovač" in identity.content.decode()
    read = AuditEntry.objects.filter(action="identity.read", actor_id=asker.pk).get()
    assert read.detail == {"via": "break_glass", "grant": grant.pk}
    # The API's case detail goes through the same selector.
    api = client.get(f"/api/v1/cases/{case.pk}/")
    assert api.status_code == 200 and api.json()["code"] == case.code
    reads = AuditEntry.objects.filter(action="case.read", actor_id=asker.pk)
    assert reads.count() == 3  # the case page, the identity page, the API
    assert all(r.detail == {"via": "break_glass", "grant": grant.pk} for r in reads)

    # Never in a list, a code search, the worklist or the API list (only in the banner).
    link = f'href="/cases/{case.pk}/"'

    def main(path):
        return client.get(path).content.decode().split('id="main"')[1]

    assert link not in main("/cases/")
    assert link not in main(f"/cases/?q={case.code}")
    assert link not in main("/worklist/") and case.code not in main("/worklist/")
    assert case.pk not in {c["id"] for c in client.get("/api/v1/cases/").json()["results"]}

    # Read-only: no change, no export, no referral from it.
    assert client.post(f"/cases/{case.pk}/edit/", {"sex": "female"}).status_code == 403
    assert client.get(f"/cases/{case.pk}/decision/").status_code == 403
    assert client.post(f"/cases/{case.pk}/export.json").status_code == 403
    assert (
        client.patch(
            f"/api/v1/cases/{case.pk}/",
            {"version": case.version, "age": 30},
            content_type="application/json",
        ).status_code
        == 403
    )


def test_the_grant_expires_on_its_own(client, world):
    case = world["case"]
    login_verified(client, world["asker"])
    with time_machine.travel(time.time(), tick=False) as clock:
        _open(client, case.code, hours=1)
        login_verified(client, world["asker"])
        clock.shift(59 * 60)
        login_verified(client, world["asker"])
        assert client.get(f"/cases/{case.pk}/").status_code == 200
        clock.shift(2 * 60)
        login_verified(client, world["asker"])
        assert client.get(f"/cases/{case.pk}/").status_code == 404
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
        assert case.code not in client.get("/").content.decode()
        # The log shows it as expired.
        assert "Expired" in client.get(LOG).content.decode()


def test_coordinator_and_owning_organisation_are_told_at_once(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.VEZA_BASE_URL = "https://veza.example"
    case = world["case"]
    for who in ("owner", "coordinator"):
        world[who].email = f"{world[who].username}@example.org"
        world[who].save(update_fields=["email"])
    login_verified(client, world["asker"])
    with django_capture_on_commit_callbacks(execute=True):
        _open(client, case.code)
    told = set(
        Notification.objects.filter(kind="case.break_glass", case=case).values_list(
            "user__username", flat=True
        )
    )
    assert told == {"bg-owner", "bg-coord"}
    # The mail names the case reference and the log page, never the reason or the person.
    assert sorted(m.to[0] for m in mail.outbox) == ["bg-coord@example.org", "bg-owner@example.org"]
    for message in mail.outbox:
        body = message.subject + message.body
        assert case.code in body and "https://veza.example/cases/break-glass/log/" in body
        assert REASON not in body and "Kovač" not in body and "bg-asker" not in body
    # The coordinator reads who, why and until when on the log, and sees the notice.
    login_verified(client, world["coordinator"])
    log = client.get(LOG).content.decode()
    assert "bg-asker" in log and REASON in log and case.code in log
    assert "Emergency access was opened" in client.get("/worklist/").content.decode()


def test_the_coordinator_revokes_and_the_asker_may_end_early(client, world):
    case, asker = world["case"], world["asker"]
    login_verified(client, asker)
    _open(client, case.code, hours=8)
    grant = EmergencyAccess.objects.get()
    # A coordinator of another participant neither sees nor revokes it.
    stranger = make_user(
        "ba-coord", role="national_coordinator", organisation=make_organisation("BA")
    )
    login_verified(client, stranger)
    assert case.code not in client.get(LOG).content.decode()
    assert client.post(f"/cases/break-glass/{grant.pk}/end/").status_code == 404
    login_verified(client, world["coordinator"])
    assert client.get(f"/cases/break-glass/{grant.pk}/end/").status_code == 405
    assert client.post(f"/cases/break-glass/{grant.pk}/end/").status_code == 302
    grant.refresh_from_db()
    assert grant.ended_by == world["coordinator"] and grant.ended_at is not None
    revoked = AuditEntry.objects.get(action="case.break_glass_revoke")
    assert revoked.detail == {"grant": grant.pk, "user": asker.pk}
    login_verified(client, asker)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    # A new grant, ended by the asker from the banner.
    _open(client, case.code, hours=1)
    second = EmergencyAccess.objects.live().get()
    assert client.post(f"/cases/break-glass/{second.pk}/end/").status_code == 302
    assert AuditEntry.objects.filter(action="case.break_glass_end").exists()
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_a_case_already_in_scope_needs_no_grant_and_a_live_one_is_not_doubled(client, world):
    case = world["case"]
    login_verified(client, world["owner"])
    response = _open(client, case.code)
    assert response.status_code == 400 and "already open this case" in response.content.decode()
    login_verified(client, world["asker"])
    _open(client, case.code)
    assert _open(client, case.code).status_code == 400
    assert EmergencyAccess.objects.count() == 1


def test_a_revoked_role_ends_the_access_on_the_next_request(client, world):
    from veza.organisations.models import Membership

    case = world["case"]
    login_verified(client, world["asker"])
    _open(client, case.code)
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    Membership.objects.filter(user=world["asker"]).update(is_active=False)
    assert client.get(f"/cases/{case.pk}/").status_code in (403, 404)
