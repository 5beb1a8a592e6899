"""WCAG 2.1 AA checks with axe-core on every page: English and Cyrillic, desktop and phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_login_journey import login
from tests.factories import make_organisation, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Axe()
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_accessible(page, where):
    results = AXE.run(page, options=OPTIONS)
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert not problems, f"{where}: " + "; ".join(problems)


def pages(page, organisation):
    for url in (
        "/",
        "/organisations/",
        "/organisations/?sector=bogus",
        f"/organisations/{organisation.pk}/",
        "/account/",
        "/account/password/",
        "/admin-not-here/",
    ):
        page.goto(url)
        yield url


@pytest.mark.parametrize("language", ["en", "sr"])
def test_pages_meet_wcag_21_aa(page, language):
    page.goto("/login/")
    assert_accessible(page, "login")
    organisation = make_organisation("RS", name="Accessible Org")
    user = make_user("access", role="national_coordinator", organisation=organisation)
    login(page, user)
    if language != "en":
        page.get_by_label("Language").select_option(language)
        # The choice reloads the page: wait until the new language is there, not merely until
        # the old page has loaded (else the next navigation can abort the reload under load).
        expect(page.locator("html")).to_have_attribute("lang", language)
    for url in pages(page, organisation):
        assert_accessible(page, f"{url} [{language}]")


def test_pages_meet_wcag_21_aa_on_a_phone(phone):
    organisation = make_organisation("AL", name="Phone Org")
    user = make_user("phoneuser", role="case_manager", organisation=organisation)
    login(phone, user)
    for url in pages(phone, organisation):
        assert_accessible(phone, f"{url} [phone]")


def test_screening_and_indicator_pages_meet_wcag_21_aa(phone):
    from tests.factories import make_screening
    from veza.indicators.models import IndicatorSet, Questionnaire

    organisation = make_organisation("XK", name="Outreach (test)", sector="cso_outreach")
    user = make_user("outreach", role="frontline_professional", organisation=organisation)
    done = make_screening(organisation, complete=True, user=user)
    draft = make_screening(organisation, questionnaire="cso_outreach", answers={}, user=user)
    login(phone, user)
    pages = [
        "/screenings/",
        "/screenings/new/",
        f"/screenings/{draft.pk}/step/1/",
        f"/screenings/{draft.pk}/step/2/",
        f"/screenings/{draft.pk}/review/",
        f"/screenings/{done.pk}/",
        "/indicators/",
        f"/indicators/sets/{IndicatorSet.objects.get(code='ilo-ec-2009-adult-labour').pk}/",
        f"/indicators/questionnaires/{Questionnaire.objects.get(code='health').pk}/",
        "/forms/",
    ]
    for url in pages:
        phone.goto(url)
        assert_accessible(phone, url)


def test_case_pages_meet_wcag_21_aa(phone):
    from django.utils import timezone

    from tests.factories import make_case, make_screening
    from veza.cases.services import consent_record, decision_record, identity_write

    organisation = make_organisation("XK", name="Social work (test)", sector="social_welfare")
    manager = make_user("cm", role="case_manager", organisation=organisation)
    screening = make_screening(organisation, complete=True, user=manager)
    case = make_case(organisation, user=manager, screening=screening)
    identity_write(actor=manager, case=case, given_names="Test", family_name="Person")
    consent_record(actor=manager, case=case, purpose="assistance", information_version="v1")
    body = make_organisation("XK", sector="identification_body")
    officer = make_user("officer-a11y", role="identification_officer", organisation=body)
    decision_record(
        actor=officer,
        case=case,
        status="Actual",
        organisation=body,
        decided_on=timezone.localdate(),
    )
    login(phone, manager)
    for url in (
        "/cases/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/identity/",
        f"/cases/{case.pk}/identity/edit/",
        f"/cases/{case.pk}/consents/new/",
        f"/cases/{case.pk}/edit/",
        f"/cases/new/?screening={screening.pk}",
    ):
        phone.goto(url)
        assert_accessible(phone, url)


def test_referral_pages_meet_wcag_21_aa(phone):
    from tests.factories import make_case, make_service
    from veza.cases.services import consent_record
    from veza.referrals.services import referral_send

    organisation = make_organisation("MK", name="Centre (test)", sector="social_welfare")
    manager = make_user("cm-ref", role="case_manager", organisation=organisation)
    shelter = make_organisation("MK", name="Shelter (test)", sector="shelter_protection")
    service = make_service(shelter, "shelter", target_groups=["women"], languages=["Macedonian"])
    case = make_case(organisation, user=manager)
    consent_record(
        actor=manager, case=case, purpose="referral", recipient=shelter, information_version="v1"
    )
    referral = referral_send(
        actor=manager, case=case, service=service, reason="Bed", urgency="urgent"
    )
    login(phone, manager)
    for url in (
        "/worklist/",
        "/services/",
        "/services/?service_type=shelter&free_places=on",
        f"/cases/{case.pk}/refer/",
        f"/referrals/{referral.pk}/",
        f"/cases/{case.pk}/",
    ):
        phone.goto(url)
        assert_accessible(phone, url)
    worker = make_user("sp-ref", role="service_provider", organisation=shelter)
    phone.context.clear_cookies()
    login(phone, worker)
    for url in (f"/referrals/{referral.pk}/", f"/services/{service.pk}/", "/services/new/"):
        phone.goto(url)
        assert_accessible(phone, url)


def test_trends_page_meets_wcag_21_aa(phone):
    from pathlib import Path

    from django.core.management import call_command

    fixture = Path(__file__).resolve().parents[1] / "statistics/fixtures/glotip_small.xlsx"
    call_command("hub", "import-glotip", str(fixture), verbosity=0)
    analyst = make_user(
        "analyst-a11y",
        role="regional_analyst",
        organisation=make_organisation("HUB", name="Hub (test)"),
    )
    login(phone, analyst)
    phone.goto("/hub/trends/")
    assert_accessible(phone, "/hub/trends/")
    phone.goto("/hub/report/?year=2022")
    assert_accessible(phone, "/hub/report/?year=2022")


def test_release_pages_meet_wcag_21_aa(phone):
    from django.utils import timezone

    from tests.factories import make_case
    from veza.statistics.models import Release

    organisation = make_organisation("ME", name="Centre ME (test)", sector="social_welfare")
    manager = make_user("cm-rel", role="case_manager", organisation=organisation)
    for n in range(8):
        make_case(organisation, user=manager, sex=("female", "male")[n % 2], age=20 + n)
    coordinator = make_user("nc-rel", role="national_coordinator", organisation=organisation)
    login(phone, coordinator)
    phone.goto("/statistics/releases/")
    assert_accessible(phone, "/statistics/releases/")
    phone.get_by_label("Year of registration").fill(str(timezone.now().year))
    phone.get_by_role("button", name="Build the release").click()
    expect(phone.get_by_role("heading", name="Approve")).to_be_visible()
    release = Release.objects.get()
    assert_accessible(phone, f"/statistics/releases/{release.pk}/")


def test_dataflow_pages_meet_wcag_21_aa(phone, tmp_path):
    """A coordinator uploads a table of a dataflow in the browser; the hub's pages show it."""
    from pathlib import Path

    import veza
    from veza.statistics.exchange import dataflow_define
    from veza.statistics.models import Release

    structure = Path(veza.__file__).parent / "data/statistics/dataflows/migration.xml"
    dataflow_define(actor="test", raw=structure.read_bytes(), only="ASYLUM_APPLICATIONS")
    table = tmp_path / "asylum.csv"
    rows = ["CITIZENSHIP,SEX,ASYLUM_DECISION,OBS_VALUE"]
    for origin, base in (("AF", 20), ("SY", 9), ("TR", 2)):
        for sex in ("F", "M"):
            rows += [f"{origin},{sex},PENDING,{base}", f"{origin},{sex},REJECTED,{base // 2}"]
    table.write_text("\n".join(rows) + "\n")
    coordinator = make_user(
        "nc-df", role="national_coordinator", organisation=make_organisation("MK", name="NC MK")
    )
    login(phone, coordinator)
    phone.goto("/statistics/dataflows/upload/")
    assert_accessible(phone, "/statistics/dataflows/upload/")
    phone.get_by_label("Year").fill("2024")
    phone.get_by_label("Table (CSV, XLSX or SDMX-CSV)").set_input_files(str(table))
    phone.get_by_role("button", name="Check and protect").click()
    expect(phone.get_by_role("heading", name="Approve")).to_be_visible()
    release = Release.objects.get()
    assert release.dataflow.code == "ASYLUM_APPLICATIONS"
    assert_accessible(phone, f"/statistics/releases/{release.pk}/")
    from veza.statistics.hub import release_receive

    release_receive(actor="test", directory=release.directory)
    analyst = make_user(
        "analyst-df", role="regional_analyst", organisation=make_organisation("HUB", name="Hub")
    )
    phone.context.clear_cookies()
    login(phone, analyst)
    for url in (
        "/hub/dataflows/",
        "/hub/dataflows/ASYLUM_APPLICATIONS/",
        "/hub/dataflows/ASYLUM_APPLICATIONS/?SEX=F",
        "/hub/received/",
    ):
        phone.goto(url)
        assert_accessible(phone, url)


def test_federation_pages_meet_wcag_21_aa(phone, settings, tmp_path):
    """The administrator's federation page; a case worker refers a case to another participant
    in the browser; the referral's page."""
    from tests.factories import make_case
    from tests.federation.conftest import Remote
    from veza.cases.services import consent_record
    from veza.federation import services
    from veza.federation.models import CrossBorderReferral
    from veza.federation.referrals import directory_store

    settings.VEZA_KEYS_DIR = tmp_path / "keys"
    settings.VEZA_INSTANCE_ID, settings.VEZA_INSTANCE_PARTICIPANT = "veza-mk", "MK"
    settings.VEZA_BASE_URL = "http://127.0.0.1:9"
    services.identity.cache_clear()
    services.identity_init(actor="test")
    remote = Remote()
    peer, key = services.peer_import(actor="test", raw=remote.card())
    peer = services.peer_confirm(actor="test", peer=peer, fingerprint=key.fingerprint)
    directory_store(
        peer=peer,
        payload={
            "published_at": "2026-11-25T10:00:00+00:00",
            "services": [{"id": 3, "organisation": "Shelter Niš", "service_type": "shelter"}],
        },
    )
    admin = make_user("fed-admin", role="administrator", organisation=make_organisation("HUB"))
    login(phone, admin)
    phone.goto("/federation/")
    assert_accessible(phone, "/federation/")
    organisation = make_organisation("MK", name="CSW Bitola", sector="social_welfare")
    worker = make_user("fed-cm", role="case_manager", organisation=organisation)
    case = make_case(organisation, user=worker, sex="female", age=30)
    consent_record(actor=worker, case=case, purpose="cross_border", information_version="v1")
    phone.context.clear_cookies()
    login(phone, worker)
    phone.goto(f"/cases/{case.pk}/")
    phone.get_by_role("link", name="Refer to another participant").click()
    assert_accessible(phone, "refer")
    phone.get_by_label("Service in another participant").select_option(index=1)
    phone.get_by_label("Why you refer the person").fill("Family in Niš")
    phone.get_by_role("button", name="Send the referral").click()
    expect(phone.get_by_role("heading", name="Referral to RS")).to_be_visible()
    assert CrossBorderReferral.objects.get().case == case
    assert_accessible(phone, "referral")
    phone.goto("/federation/referrals/")
    assert_accessible(phone, "/federation/referrals/")
    services.identity.cache_clear()


def test_break_glass_and_step_up_pages_meet_wcag_21_aa(phone, settings):
    from tests.factories import make_case
    from veza.cases.emergency import emergency_access_open

    owner = make_organisation("XK", name="Owner (test)", sector="social_welfare")
    case = make_case(owner)
    asker = make_user(
        "bg-a11y", role="case_manager", organisation=make_organisation("XK", name="Asker (test)")
    )
    own = make_case(asker.memberships.get().organisation, user=asker)
    login(phone, asker)
    phone.goto("/cases/break-glass/")
    assert_accessible(phone, "/cases/break-glass/")
    phone.get_by_role("button", name="Open the case in an emergency").click()
    assert_accessible(phone, "/cases/break-glass/ (errors)")
    emergency_access_open(
        actor=asker, reference=case.code, reason="A person at risk needs shelter now", hours=1
    )
    # The red banner on the case page, and the list of emergency accesses.
    for url in (f"/cases/{case.pk}/", "/cases/break-glass/log/"):
        phone.goto(url)
        expect(phone.locator(".emergency-access-banner")).to_be_visible()
        assert_accessible(phone, url)
    # The step-up form an export asks for (the code typed at login no longer counts).
    settings.VEZA_STEP_UP_SECONDS = 0
    phone.goto(f"/cases/{own.pk}/")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Export (HTCDS JSON)").click()
    expect(phone.get_by_label("Code from your authenticator app")).to_be_visible()
    assert_accessible(phone, "step-up")


def test_subject_access_page_meets_wcag_21_aa(phone):
    coordinator = make_user(
        "sa-a11y",
        role="national_coordinator",
        organisation=make_organisation("RS", name="Coordination (test)"),
    )
    login(phone, coordinator)
    phone.goto("/privacy/subject-access/")
    assert_accessible(phone, "/privacy/subject-access/")
    phone.get_by_role("button").filter(has_text="Download").first.click()
    assert_accessible(phone, "/privacy/subject-access/ (errors)")


def test_knowledge_hub_pages_meet_wcag_21_aa(phone):
    """The guidance library, training and practice, the survivor feedback summary and the self-check
    counts (staff), and the pages for the public: the library, the self-check, its rights page and
    the feedback form, in a left-to-right and a right-to-left language."""
    from veza.feedback.services import link_token
    from veza.training.practice import load_practice

    organisation = make_organisation("RS", name="Coordination (test)")
    coordinator = make_user("hub-a11y", role="national_coordinator", organisation=organisation)
    token = link_token(participant_code="RS", service_type="shelter")
    for url in (
        "/library/",
        "/self-check/",
        "/self-check/sq/",
        "/self-check/fa/",
        "/self-check/rom/rights/",
        f"/feedback/{token}/",
        f"/feedback/{token}/?lang=ar",
    ):
        phone.goto(url)
        assert_accessible(phone, f"{url} [public]")
    phone.goto("/self-check/sq/")
    phone.get_by_role("button").last.click()
    assert_accessible(phone, "/self-check/sq/ (result)")
    login(phone, coordinator)
    case_id = next(iter(load_practice().cases))
    for url in (
        "/guidance/",
        "/guidance/new/",
        "/training/",
        "/training/practice/",
        f"/training/practice/{case_id}/",
        "/training/courses/",
        "/training/courses/new/",
        "/training/coverage/",
        "/feedback/summary/",
        "/prevention/self-check-uses/",
    ):
        phone.goto(url)
        assert_accessible(phone, url)
