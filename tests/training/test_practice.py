"""Practice attempts: screened with the real questionnaire, compared and scored, stored in the
training tables only (never among screenings), certificates issued when a module is passed, and
only the holder and their coordinator download one."""

import io

import pytest
from pypdf import PdfReader

from tests.factories import login_verified, make_organisation, make_user
from veza.core.errors import PermissionDeniedError
from veza.core.models import AuditEntry
from veza.screening.models import Screening
from veza.training.models import Certificate, PracticeAttempt
from veza.training.practice import load_practice
from veza.training.services import attempt_submit

pytestmark = pytest.mark.django_db

FIRST = next(iter(load_practice().modules.values()))


def _post_data(answers):
    data = {}
    for key, value in answers.items():
        if key == "age":
            data["age"] = str(value)
        elif isinstance(value, list):
            data[key] = value
        else:
            data[key] = value
    return data


@pytest.fixture
def trainee(organisation):
    return make_user("trainee", role="frontline_professional", organisation=organisation)


def test_the_expected_answers_pass_and_two_cases_earn_the_certificate(client, trainee):
    login_verified(client, trainee)
    assert client.get("/training/practice/").status_code == 200
    screenings_before = Screening.objects.count()
    for number, case_id in enumerate(FIRST.cases):
        case = load_practice().cases[case_id]
        page = client.get(f"/training/practice/{case_id}/")
        assert page.status_code == 200
        assert case.title["en"] in page.content.decode()
        response = client.post(f"/training/practice/{case_id}/", _post_data(case.answers))
        assert response.status_code == 302, response.content[:2000]
        attempt = PracticeAttempt.objects.get(user=trainee, case_id=case_id)
        assert (attempt.score, attempt.passed, attempt.outcome) == (
            100,
            True,
            case.expected_outcome,
        )
        result = client.get(response["Location"])
        assert "Score 100 %" in result.content.decode()
        assert Certificate.objects.filter(user=trainee).count() == (number == len(FIRST.cases) - 1)
    # Practice never becomes a screening: not in the table, not in the trainee's list.
    assert Screening.objects.count() == screenings_before
    assert "SCR-" not in client.get("/screenings/").content.decode()
    assert AuditEntry.objects.filter(action="training.certificate_issue").count() == 1
    certificate = Certificate.objects.get(user=trainee)
    pdf = client.get(f"/training/certificates/{certificate.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert certificate.code in text
    assert "trainee" in text
    mine = client.get("/training/").content.decode()
    assert "Download the certificate" in mine


def test_a_wrong_screening_is_explained_indicator_by_indicator(client, trainee):
    login_verified(client, trainee)
    case = load_practice().cases[FIRST.cases[0]]
    answers = dict(case.answers)
    answers["papers_with_employer"] = "no"  # misses the confiscated passport
    answers["debt"] = "no"
    answers["not_free"] = "no"
    response = client.post(f"/training/practice/{case.id}/", _post_data(answers))
    attempt = PracticeAttempt.objects.get(user=trainee)
    assert attempt.score < 100
    page = client.get(response["Location"]).content.decode()
    assert case.why["cd.documents_confiscated"]["en"] in page
    assert "differences" in page
    assert not Certificate.objects.exists()


def test_certificate_needs_every_case_of_the_module(trainee):
    case = load_practice().cases[FIRST.cases[0]]
    attempt, certificate = attempt_submit(actor=trainee, case_id=case.id, answers=case.answers)
    assert attempt.passed and certificate is None
    _again, certificate = attempt_submit(actor=trainee, case_id=case.id, answers=case.answers)
    assert certificate is None and not Certificate.objects.exists()


def test_a_failed_case_does_not_complete_a_module(trainee):
    first, second = FIRST.cases[:2]
    data = load_practice().cases
    attempt_submit(actor=trainee, case_id=first, answers=data[first].answers)
    # Nothing seen: every yes becomes no, every list of signs is left empty.
    blind = {
        k: ("no" if v == "yes" else [] if isinstance(v, list) and k != "exploitation" else v)
        for k, v in data[second].answers.items()
    }
    blind["documents"] = "own"
    attempt, certificate = attempt_submit(actor=trainee, case_id=second, answers=blind)
    assert not attempt.passed and certificate is None


def test_someone_without_the_permission_cannot_practise(client, db):
    user = make_user("analyst", role="regional_analyst", organisation=make_organisation("RS"))
    with pytest.raises(PermissionDeniedError):
        attempt_submit(actor=user, case_id=FIRST.cases[0], answers={})
    login_verified(client, user)
    assert client.get("/training/practice/").status_code == 403
    assert client.get(f"/training/practice/{FIRST.cases[0]}/").status_code == 403


def test_an_unknown_case_is_not_found(client, trainee):
    login_verified(client, trainee)
    assert client.get("/training/practice/nowhere/").status_code == 404


def test_attempts_and_certificates_of_others_are_not_found(client, trainee, organisation):
    for case_id in FIRST.cases:
        attempt_submit(
            actor=trainee, case_id=case_id, answers=load_practice().cases[case_id].answers
        )
    certificate = Certificate.objects.get(user=trainee)
    attempt = PracticeAttempt.objects.filter(user=trainee).first()
    colleague = make_user("colleague", role="case_manager", organisation=organisation)
    login_verified(client, colleague)
    assert client.get(f"/training/attempts/{attempt.pk}/").status_code == 404
    assert client.get(f"/training/certificates/{certificate.pk}/pdf/").status_code == 404
    # The coordinator of the holder's participant may download it; another participant's may not.
    coordinator = make_user(
        "coord", role="national_coordinator", organisation=make_organisation("RS")
    )
    login_verified(client, coordinator)
    assert client.get(f"/training/certificates/{certificate.pk}/pdf/").status_code == 200
    other = make_user("coord2", role="national_coordinator", organisation=make_organisation("BA"))
    login_verified(client, other)
    assert client.get(f"/training/certificates/{certificate.pk}/pdf/").status_code == 404


def test_a_coordinator_verifies_a_certificate_by_the_code_on_paper(client, trainee, organisation):
    for case_id in FIRST.cases:
        attempt_submit(
            actor=trainee, case_id=case_id, answers=load_practice().cases[case_id].answers
        )
    certificate = Certificate.objects.get(user=trainee)
    typed = certificate.code.replace("-", " ").lower()  # as read from paper
    coordinator = make_user(
        "coord", role="national_coordinator", organisation=make_organisation("RS")
    )
    login_verified(client, coordinator)
    page = client.get("/training/certificates/verify/", {"code": typed}).content.decode()
    assert "Genuine" in page and "trainee" in page
    assert AuditEntry.objects.filter(action="training.certificate_verify").count() == 1
    wrong = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    page = client.get("/training/certificates/verify/", {"code": wrong}).content.decode()
    assert "Genuine" not in page and "No certificate with this code" in page
    # Another participant's coordinator does not find it; a professional may not verify.
    login_verified(
        client,
        make_user("coord2", role="national_coordinator", organisation=make_organisation("BA")),
    )
    page = client.get("/training/certificates/verify/", {"code": certificate.code})
    assert "Genuine" not in page.content.decode()
    login_verified(client, make_user("colleague", role="case_manager", organisation=organisation))
    assert client.get("/training/certificates/verify/").status_code == 403
