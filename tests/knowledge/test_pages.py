# ruff: noqa: RUF001  (Cyrillic test texts are meant)
"""The library's pages through real HTTP: the coordinator's publishing journey, what anonymous
visitors and professionals may see, uploads refused by content and size, and the PDF's headers."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import login_verified, make_user
from tests.knowledge.conftest import new_document
from veza.core.models import AuditEntry
from veza.knowledge.models import Document, DocumentText
from veza.knowledge.services import document_withdraw, version_publish

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXTS = {
    "en": ("Help for workers who are not paid", "Where to turn when an employer keeps your pay."),
    "sr": (
        "Помоћ радницима који нису плаћени",
        "Коме да се обратите када послодавац задржи плату.",
    ),
    "sq": ("Ndihmë për punëtorët që nuk paguhen", "Ku të drejtoheni kur punëdhënësi mban pagën."),
}


def _publish(actor, document):
    version_publish(actor=actor, document=document, expected_version=document.version)


def test_the_coordinator_publishes_a_guide_in_three_languages(client, coordinator, rs):
    login_verified(client, coordinator)
    assert client.get("/guidance/new/").status_code == 200
    title, summary = TEXTS["en"]
    response = client.post(
        "/guidance/new/",
        {
            "participant": str(rs.pk), "kind": "leaflet", "topic": "labour_exploitation",
            "sector": "labour_inspection", "audience": "public", "language": "en",
            "title": title, "summary": summary, "body": "First paragraph.\n\nSecond paragraph.",
        },
    )  # fmt: skip
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/guidance/{document.pk}/"
    for language in ("sr", "sq"):
        title, summary = TEXTS[language]
        page = client.get(f"/guidance/{document.pk}/text/?language={language}")
        assert page.status_code == 200
        document.refresh_from_db()
        response = client.post(
            f"/guidance/{document.pk}/text/",
            {"language": language, "title": title, "summary": summary, "body": "…",
             "version": document.version},
        )  # fmt: skip
        assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(f"/library/{document.slug}/").status_code == 404  # still a draft
    document.refresh_from_db()
    response = client.post(f"/guidance/{document.pk}/publish/", {"version": document.version})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == "published"

    client.logout()
    listing = client.get("/library/").content.decode()
    assert TEXTS["en"][0] in listing or TEXTS["sr"][0] in listing
    for language, (title, summary) in TEXTS.items():
        page = client.get(f"/library/{document.slug}/{language}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert title in html and summary in html and f'lang="{language}"' in html
        found = client.get("/library/", {"q": title.split()[0], "language": language})
        assert title in found.content.decode()
    actions = set(
        AuditEntry.objects.filter(object_id=str(document.pk), object_type="knowledge.document")
        .values_list("action", flat=True)
    )  # fmt: skip
    assert actions == {
        "knowledge.document_create", "knowledge.text_save", "knowledge.version_publish",
    }  # fmt: skip


def test_anonymous_visitors_see_only_published_public_documents(client, coordinator, rs):
    public = new_document(coordinator, rs, slug="open-guide", title="Open guide")
    _publish(coordinator, public)
    draft = new_document(coordinator, rs, slug="draft-guide", title="Draft guide")
    internal = new_document(
        coordinator, rs, slug="internal-sop", title="Internal SOP", audience="professionals"
    )
    _publish(coordinator, internal)
    gone = new_document(coordinator, rs, slug="gone-guide", title="Gone guide")
    _publish(coordinator, gone)
    document_withdraw(actor=coordinator, document=gone, expected_version=gone.version)

    listing = client.get("/library/").content.decode()
    assert "Open guide" in listing
    for hidden in (draft, internal, gone):
        assert hidden.slug not in listing
        for path in (f"/library/{hidden.slug}/", f"/library/{hidden.slug}/en/"):
            assert client.get(path).status_code == 404, path
    assert client.get("/library/open-guide/xx/").status_code == 404
    assert client.get("/library/open-guide/en/").status_code == 200
    # The staff pages are not public.
    assert client.get("/guidance/").status_code == 302
    assert client.get(f"/guidance/{public.pk}/").status_code == 302


def test_professionals_read_published_documents_and_only_managers_see_drafts(
    client, coordinator, al_coordinator, frontline, rs
):
    internal = new_document(
        coordinator, rs, slug="internal-sop", title="Internal SOP", audience="professionals"
    )
    _publish(coordinator, internal)
    draft = new_document(coordinator, rs, slug="draft-guide", title="Draft guide")
    login_verified(client, frontline)
    listing = client.get("/guidance/").content.decode()
    assert "Internal SOP" in listing and "Draft guide" not in listing
    assert client.get(f"/guidance/{internal.pk}/").status_code == 200
    assert client.get(f"/guidance/{draft.pk}/").status_code == 404
    assert client.get("/guidance/new/").status_code == 403
    assert client.post(f"/guidance/{internal.pk}/withdraw/", {"version": 2}).status_code == 403
    client.logout()
    login_verified(client, al_coordinator)
    assert client.get(f"/guidance/{draft.pk}/").status_code == 404
    assert client.get(f"/guidance/{internal.pk}/edit/").status_code == 403
    client.logout()
    login_verified(client, make_user("norole.test"))
    assert client.get("/guidance/").status_code == 403


def test_filters_of_the_staff_list(client, coordinator, rs):
    new_document(coordinator, rs, slug="a-sop", title="Alpha", kind="sop")
    new_document(coordinator, rs, slug="a-guide", title="Beta", kind="guide", sector="health")
    login_verified(client, coordinator)
    assert "Alpha" in client.get("/guidance/", {"kind": "sop"}).content.decode()
    assert "Beta" not in client.get("/guidance/", {"kind": "sop"}).content.decode()
    assert "Beta" in client.get("/guidance/", {"sector": "health"}).content.decode()
    assert "Alpha" in client.get("/guidance/", {"participant": "RS"}).content.decode()
    assert "Alpha" not in client.get("/guidance/", {"participant": "regional"}).content.decode()
    assert "Alpha" not in client.get("/guidance/", {"language": "sq"}).content.decode()


def _upload(client, document, name, content):
    document.refresh_from_db()
    return client.post(
        f"/guidance/{document.pk}/text/",
        {"language": "en", "title": "With a file", "version": document.version,
         "pdf": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("guide.pdf", b"MZ\x90\x00" + b"\x00" * 200, "The file is a program"),
        ("guide.pdf", b"<html><script>alert(1)</script></html>", "not what its name says"),
        ("guide.exe", PDF, "Upload a file of one of these types: .pdf"),
        ("guide.pdf", PDF + b"0" * (10 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_a_refused_upload_says_why_and_writes_nothing(
    client, coordinator, rs, settings, name, content, message
):
    settings.VEZA_MAX_REQUEST_BYTES = 20 * 1024 * 1024
    document = new_document(coordinator, rs)
    before = (AuditEntry.objects.count(), Document.objects.get().version)
    login_verified(client, coordinator)
    response = _upload(client, document, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    text = DocumentText.objects.with_pdf().get()
    assert text.pdf_data is None and text.title != "With a file"
    assert (AuditEntry.objects.count(), Document.objects.get().version) == before


def test_a_pdf_is_kept_in_the_database_and_served_as_a_safe_download(client, coordinator, rs):
    document = new_document(coordinator, rs, slug="with-pdf")
    login_verified(client, coordinator)
    assert _upload(client, document, "Vodič <1>.pdf", PDF).status_code == 302
    text = DocumentText.objects.with_pdf().get()
    assert bytes(text.pdf_data) == PDF and text.pdf_size == len(PDF)
    assert text.pdf_sha256 == hashlib.sha256(PDF).hexdigest() and text.pdf_name == "vodic-1.pdf"
    staff = client.get(f"/guidance/{document.pk}/en/pdf/")
    assert staff.status_code == 200 and staff.content == PDF
    client.logout()
    assert client.get("/library/with-pdf/en/pdf/").status_code == 404  # not yet published
    _publish(coordinator, Document.objects.get())
    response = client.get("/library/with-pdf/en/pdf/")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="vodic-1.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "download" in client.get("/library/with-pdf/en/").content.decode()
    assert client.get("/library/with-pdf/sq/pdf/").status_code == 404


def test_a_stale_form_gets_409_and_the_newer_text_stays(client, coordinator, rs):
    document = new_document(coordinator, rs)
    login_verified(client, coordinator)
    stale = document.version
    url = f"/guidance/{document.pk}/text/"
    ok = client.post(url, {"language": "en", "title": "First save", "version": stale})
    assert ok.status_code == 302
    late = client.post(url, {"language": "en", "title": "Late save", "version": stale})
    assert late.status_code == 409
    assert DocumentText.objects.get().title == "First save"
