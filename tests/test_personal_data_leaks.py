"""A recognisable name, given to a person in the demo data, must never leave where it belongs.

The whole demo is loaded, the name is written into one Serbian case's identity through the pages,
searched for, shared with a shelter (with consent) and across the border, and then every page
reachable from the home page is visited by the people who work on the case, by the coordinator,
the administrator and by a stranger from another organisation. The name may show only on the
identity pages of those allowed to see it. It must not be found in any URL or redirect, any error
page, the log, the audit log, notices or e-mails, packets to other instances, the release to the
regional hub, the sessions, or any column of any table in clear text (SECURITY.md rows 14, 15, 27).
"""

from __future__ import annotations

import html
import logging
import re
import zipfile
from collections import Counter, deque
from io import BytesIO
from urllib.parse import unquote, urlsplit

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import connection

from tests.factories import login_verified, make_organisation, make_user
from tests.federation.conftest import Remote
from tests.test_url_walk import ROUTES
from veza.cases.models import Case
from veza.federation import services as federation
from veza.federation.models import CrossBorderReferral, Packet, RemoteService
from veza.referrals.models import Referral, Service

pytestmark = pytest.mark.django_db

GIVEN, FAMILY = "Zephyrine", "Quillfeather"
#: What must not be found: each part of the name, in any case (accents are not used).
TOKENS = (GIVEN.lower(), FAMILY.lower())
#: Pages that exist to show the identity to those allowed to see it: the case's identity page
#: (audited), and for the organisation a referral shares the name with, that referral's page
#: (audited as a read of shared identity).
IDENTITY_PAGES = re.compile(r"^/cases/\d+/identity/(edit/)?$")
SHARED_PAGES = re.compile(r"^/referrals/\d+/$")
LINK = re.compile(r'(?:href|action)="(/[^"#]*)"')
SKIP = ("/static/", "/logout/", "/language/", "/login/", "/admin/logout/")


def errors(response) -> str:
    """The error messages on a form page, to explain a refused step."""
    page = response.content.decode()
    found = re.findall(r"<(?:li|p)>([^<]+)</(?:li|p)>", page.split('id="main"')[-1])
    return " | ".join(found)


def leaks(text: str) -> list[str]:
    text = unquote(text).lower()
    return [t for t in TOKENS if t in text]


class Crawl:
    """Every same-site link from the given pages, breadth first, with the answers checked."""

    def __init__(self, client, who: str, allowed=IDENTITY_PAGES):
        self.client, self.who, self.allowed = client, who, allowed
        self.seen: set[str] = set()
        self.per_route: Counter = Counter()
        self.problems: list[str] = []

    def run(self, start, limit=160):
        queue = deque(start)
        while queue and len(self.seen) < limit:
            path = html.unescape(queue.popleft())
            base = urlsplit(path).path
            if path in self.seen or base.startswith(SKIP) or self.per_route[base] >= 2:
                continue
            self.seen.add(path)
            self.per_route[base] += 1
            response = self.client.get(path)
            self.check(path, response)
            if response.get("Content-Type", "").startswith("text/html"):
                queue.extend(LINK.findall(response.content.decode()))
        return self

    def check(self, path, response):
        where = f"{self.who} GET {path} → {response.status_code}"
        if leaks(path):
            self.problems.append(f"{where}: the name is in the URL")
        if leaks(response.get("Location", "")):
            self.problems.append(f"{where}: the name is in the redirect")
        body = b"".join(response) if response.streaming else response.content
        if response.status_code >= 400 and leaks(body.decode(errors="replace")):
            self.problems.append(f"{where}: the name is on an error page")
        if response.status_code == 200 and not self.allowed.match(path):
            if path.endswith((".pdf", ".json")) or "/export" in path:
                return  # an export the user asked for; exports to the hub are checked below
            if leaks(body.decode(errors="replace")):
                self.problems.append(f"{where}: the name shows outside the identity pages")


@pytest.fixture
def federated(settings, tmp_path):
    """This instance (RS) with its federation keys, and a trusted peer in North Macedonia."""
    settings.VEZA_KEYS_DIR = tmp_path / "keys"
    settings.VEZA_INSTANCE_ID = "veza-mk"  # the name Remote's packets are addressed to
    settings.VEZA_BASE_URL = "http://127.0.0.1:9"
    settings.VEZA_FEDERATION_TIMEOUT = 1
    federation.identity.cache_clear()
    federation.identity_init(actor="test")
    remote = Remote(instance="veza-mkpeer", participant="MK")
    peer, key = federation.peer_import(actor="test", raw=remote.card())
    federation.peer_confirm(actor="test", peer=peer, fingerprint=key.fingerprint)
    payload = {
        "participant": "MK",
        "published_at": "2026-11-25T10:00:00+00:00",
        "services": [
            {"id": 3, "organisation": "Shelter Skopje", "city": "Skopje", "service_type": "shelter"}
        ],
    }
    federation.packet_receive(remote.packet("directory.publish", payload)[1])
    yield remote
    federation.identity.cache_clear()


def test_a_seeded_name_is_found_only_where_it_belongs(
    client, federated, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    for noisy in ("weasyprint", "fontTools", "PIL", "faker"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    call_command("demo", verbosity=0)

    case = Case.objects.filter(participant__code="RS", is_demo=True, closed_at=None).first()
    owner = make_user("leak.owner", role="case_manager", organisation=case.organisation)
    login_verified(client, owner)

    # The journeys: identity written, searched for, consent, a referral sharing the name, a
    # referral across the border sharing it, a look at the identity.
    assert (
        client.post(
            f"/cases/{case.pk}/identity/edit/",
            {"given_names": GIVEN, "family_name": FAMILY, "date_of_birth": "2001-02-03"},
        ).status_code
        == 302
    )
    assert case.code in client.post("/cases/", {"name": f"{GIVEN} {FAMILY}"}).content.decode()
    shelter = (
        Service.objects.filter(organisation__participant__code="RS", service_type="shelter")
        .exclude(organisation=case.organisation)
        .first()
    )
    to_shelter = shelter.organisation.pk
    for purpose, recipient in (
        ("referral", to_shelter),
        ("data_sharing", to_shelter),
        ("cross_border", ""),
    ):
        assert (
            client.post(
                f"/cases/{case.pk}/consents/new/",
                {
                    "purpose": purpose,
                    "recipient": recipient,
                    "information_version": "info-2026-1",
                    "given_by": "person",
                },
            ).status_code
            == 302
        )
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            f"/cases/{case.pk}/refer/",
            {
                "service": shelter.pk,
                "urgency": "urgent",
                "reason": "Needs a safe bed tonight",
                "shared_fields": ["sex", "age", "given_names", "family_name"],
            },
        )
        assert sent.status_code == 302, errors(sent)
        abroad = client.post(
            f"/federation/cases/{case.pk}/refer/",
            {
                "service": RemoteService.objects.get().pk,
                "reason": "Wants to be near her sister",
                "urgency": "urgent",
                "shared_fields": ["sex", "age", "given_names", "family_name"],
                "identity_confirmed": "on",
            },
        )
        assert abroad.status_code == 302, errors(abroad)
    assert GIVEN in client.get(f"/cases/{case.pk}/identity/").content.decode()

    # The recipient sees the shared name on the referral's identity page (their purpose).
    referral = Referral.objects.get(case=case, service=shelter)
    recipient = make_user(
        "leak.shelter", role="service_provider", organisation=shelter.organisation
    )

    # Everyone walks everything.
    abroad_referral = CrossBorderReferral.objects.get(direction="out", case=case)
    start = [
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/identity/",
        f"/referrals/{referral.pk}/",
        f"/federation/referrals/{abroad_referral.pk}/",
        "/",
        *(path for _name, path in ROUTES),
    ]
    crawls = [Crawl(client, "owner").run(start, limit=300)]
    for who, user in (
        ("recipient", recipient),
        ("coordinator", make_user(role="national_coordinator", organisation=case.organisation)),
        (
            "identification",
            make_user(role="identification_officer", organisation=case.organisation),
        ),
    ):
        client.logout()
        allowed = SHARED_PAGES if who == "recipient" else IDENTITY_PAGES
        crawls.append(Crawl(login_verified(client, user), who, allowed).run(start))
    client.logout()
    crawls.append(Crawl(client.__class__(), "administrator"))
    admin = make_user("leak.admin", role="administrator", organisation=make_organisation("RS"))
    crawls[-1].client = login_verified(crawls[-1].client, admin)
    crawls[-1].run(["/admin/", *start])
    # A stranger asks for every page the owner saw: refusals only, and none names the person.
    stranger = make_user(role="case_manager", organisation=make_organisation("RS"))
    client.logout()
    login_verified(client, stranger)
    owner_pages = sorted(crawls[0].seen)
    crawls.append(Crawl(client, "stranger").run(owner_pages, limit=len(owner_pages)))

    problems = [p for c in crawls for p in c.problems]
    assert not problems, "\n".join(problems)
    assert any(f"/referrals/{referral.pk}/" in page for c in crawls for page in c.seen), (
        "the walk did not reach the referral"
    )
    assert sum(len(c.seen) for c in crawls) > 700

    # The log, the audit log's free text, notices, e-mails.
    assert not leaks(caplog.text), "the name is in the log"
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, detail FROM core_auditentry")
        audit = cursor.fetchall()
    assert audit and not [row for row in audit if leaks(str(row))]
    assert not [m for m in mail.outbox if leaks(m.subject + m.body)]

    # Packets to other instances are encrypted: the name is inside (the peer reads it), not
    # in the stored packet.
    outgoing = Packet.objects.filter(direction="out", packet_type="referral.offer").get()
    assert not leaks(outgoing.body)
    opened = federated.read(outgoing)
    assert GIVEN in str(opened)

    # The release to the regional hub (tables and SDMX) for the case's year.
    from veza.statistics.exchange import release_archive
    from veza.statistics.services import release_build

    coordinator = make_user(role="national_coordinator", organisation=case.organisation)
    release = release_build(
        actor=coordinator, participant=case.participant, year=case.created_at.year
    )
    with zipfile.ZipFile(BytesIO(release_archive(release))) as archive:
        for name in archive.namelist():
            assert not leaks(archive.read(name).decode(errors="replace")), name

    # Sessions and every column of every table: no clear text anywhere.
    for session in Session.objects.all():
        assert not leaks(str(SessionStore().decode(session.session_data)))
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found += [table for row in cursor.fetchall() if leaks(str(row))]
    assert not found, f"the name is stored in clear in {sorted(set(found))}"


def test_an_error_report_holds_nothing_that_was_posted(client, settings, caplog):
    settings.ROOT_URLCONF = "tests.errorviews"
    settings.ADMINS = [("Operator", "operator@example.org")]
    client.raise_request_exception = False
    response = client.post("/breaks/", {"family_name": FAMILY, "given_names": GIVEN})
    assert response.status_code == 500 and not leaks(response.content.decode())
    assert "Internal Server Error: /breaks/" in caplog.text and not leaks(caplog.text)
    (report,) = mail.outbox
    assert "RuntimeError" in report.body and "family_name" in report.body
    html_report = "".join(str(content) for content, _type in report.alternatives)
    assert not leaks(report.subject + report.body + html_report)
