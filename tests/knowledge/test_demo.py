"""The demo documents: the data file is complete (every text has a title, summary and body in
known languages; Serbian Latin, where given, is the transliteration of the Cyrillic), and the
demo step publishes the three-language guide as rs.coordinator, idempotently."""

import pytest
import yaml

from tests.scripts import serbian_latin
from veza.knowledge.content import DATA, ContentError, load_demo_documents, parse_demo_documents
from veza.knowledge.demo import demo_library
from veza.knowledge.models import Document


def test_the_demo_file_is_complete_and_serbian_latin_is_transliterated():
    documents = load_demo_documents()
    guide = next(d for d in documents if d.audience == "public")
    assert set(guide.texts) == {"en", "sr", "sq"} and guide.state == "published"
    assert {d.state for d in documents} == {"published", "draft"}
    assert any(d.audience == "professionals" and d.kind == "sop" for d in documents)
    for document in documents:
        if "sr-latn" in document.texts:
            assert document.texts["sr-latn"] == {
                k: serbian_latin(v) for k, v in document.texts["sr"].items()
            }
    raw = yaml.safe_load((DATA / "demo.yaml").read_text(encoding="utf-8"))
    assert raw["source"].strip()


def test_a_missing_text_or_unknown_code_is_refused():
    good = {"slug": "x", "kind": "guide", "topic": "other", "audience": "public", "state": "draft",
            "texts": {"en": {"title": "T", "summary": "S", "body": "B"}}}  # fmt: skip
    codes = {"kinds": ["guide"], "topics": ["other"], "audiences": ["public"], "languages": ["en"]}
    assert parse_demo_documents({"documents": [good]}, **codes)
    for broken in (
        {**good, "kind": "novel"},
        {**good, "state": "maybe"},
        {**good, "texts": {"xx": good["texts"]["en"]}},
        {**good, "texts": {"en": {"title": "T", "summary": "", "body": "B"}}},
    ):
        with pytest.raises(ContentError):
            parse_demo_documents({"documents": [broken]}, **codes)


@pytest.mark.django_db
def test_the_demo_step_publishes_as_the_coordinator_and_runs_twice(client):
    from veza.core.demo import demo_steps

    next(s for s in demo_steps() if s.name == "organisations and accounts").run()
    first = demo_library()
    assert "first-contact-recognising-and-referring" in first["lines"][0]
    guide = Document.objects.get(slug="first-contact-recognising-and-referring")
    assert guide.status == "published" and guide.created_by.username == "rs.coordinator"
    assert sorted(guide.published_version.texts.values_list("language", flat=True)) == [
        "en", "sq", "sr",
    ]  # fmt: skip
    assert Document.objects.get(slug="nrm-referral-checklist").status == "draft"
    assert Document.objects.get(slug="sop-summary-first-72-hours").audience == "professionals"
    count = Document.objects.count()
    assert demo_library()["lines"] == ["The demo guidance library exists already."]
    assert Document.objects.count() == count
    for language in ("en", "sr", "sq"):
        page = client.get(f"/library/{guide.slug}/{language}/")
        assert page.status_code == 200
