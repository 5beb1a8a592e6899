"""Content in the database: shipped versions, import, review, publish, adopt."""

import io

import pytest
import yaml
from django.core.management import call_command

from tests.factories import login_verified, make_organisation, make_screening
from veza.core.errors import ValidationError
from veza.core.models import AuditEntry
from veza.indicators.choices import ContentStatus
from veza.indicators.content import DEFAULT_DIR
from veza.indicators.engine import ContentError
from veza.indicators.models import Adoption, IndicatorSet, Questionnaire
from veza.indicators.services import (
    content_adopt,
    content_bundle,
    content_import,
    content_publish,
    content_sync,
    set_new_version,
    set_rebuild_from_rows,
)
from veza.organisations.models import Participant

pytestmark = pytest.mark.django_db


def adult_labour_yaml(**changes) -> dict:
    data = yaml.safe_load((DEFAULT_DIR / "indicators/ilo-ec-2009-adult-labour.yaml").read_text())
    data.update(changes)
    return data


def test_shipped_content_is_stored_published_once():
    assert IndicatorSet.objects.filter(builtin=True, status=ContentStatus.PUBLISHED).count() == 6
    assert Questionnaire.objects.filter(builtin=True).count() == 10
    assert content_sync() == 0  # idempotent
    assert IndicatorSet.objects.get(code="ilo-ec-2009-adult-labour").indicators.count() == 67


def test_changed_file_under_an_old_version_number_is_refused(tmp_path):
    for kind in ("indicators", "rules", "questionnaires"):
        (tmp_path / kind).mkdir()
        for f in (DEFAULT_DIR / kind).glob("*.yaml"):
            (tmp_path / kind / f.name).write_text(f.read_text())
    path = tmp_path / "indicators/ilo-ec-2009-adult-labour.yaml"
    data = yaml.safe_load(path.read_text())
    data["indicators"][0]["strength"] = (
        "weak" if data["indicators"][0]["strength"] != "weak" else "strong"
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError, match="new version number"):
        content_sync(tmp_path)


def test_translations_join_a_stored_version_but_a_new_meaning_does_not(tmp_path):
    from veza.indicators.text import english_only, translation_counts

    for kind in ("indicators", "rules", "questionnaires"):
        (tmp_path / kind).mkdir()
        for f in (DEFAULT_DIR / kind).glob("*.yaml"):
            (tmp_path / kind / f.name).write_text(f.read_text())

    path = tmp_path / "questionnaires/health.yaml"
    data = english_only(yaml.safe_load(path.read_text()))  # the questionnaire in English only
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert content_sync(tmp_path) == 0
    english = data["title"]
    data["title"] = {"en": english, "mk": "Скрининг во здравството"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert content_sync(tmp_path) == 0  # no new version: the same questionnaire, translated
    stored = Questionnaire.objects.get(code="health", version=data["version"])
    assert stored.content["title"]["mk"] == "Скрининг во здравството"
    assert AuditEntry.objects.filter(action="content.translations").exists()
    counts = translation_counts(stored.content)
    assert counts["mk"] == 1 and counts["en"] > 50 and counts["sq"] == 0
    data["title"] = {"en": english + " (changed)", "mk": "Скрининг во здравството"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ContentError, match="new version number"):
        content_sync(tmp_path)


def _yaml_bytes(data):
    return yaml.safe_dump(data, allow_unicode=True).encode()


def test_import_yaml_creates_a_proposed_version_that_nobody_uses_yet(admin_user):
    data = adult_labour_yaml(version=2)
    data["indicators"][0]["strength"] = "medium"
    item = content_import(actor=admin_user, filename="v2.yaml", raw=_yaml_bytes(data))
    assert item.status == ContentStatus.PROPOSED and item.version == 2
    rs = Participant.objects.get(code="RS")
    assert content_bundle(rs).sets["ilo-ec-2009-adult-labour"].version == 1
    assert AuditEntry.objects.filter(action="set.import").exists()


@pytest.mark.parametrize(
    ("filename", "raw", "message"),
    [
        ("set.yaml", b"id: [unclosed", "not valid YAML"),
        ("set.yaml", b"\xff\xfe binary", "not UTF-8"),
        ("set.txt", b"id: x", ".yaml or .xlsx"),
        ("set.xlsx", b"not a workbook", "not a readable XLSX"),
    ],
)
def test_import_of_a_bad_file_stores_nothing_and_says_why(admin_user, filename, raw, message):
    before = IndicatorSet.objects.count()
    with pytest.raises(ValidationError) as info:
        content_import(actor=admin_user, filename=filename, raw=raw)
    assert message in " ".join(info.value.fields["file"])
    assert IndicatorSet.objects.count() == before


def test_import_lists_every_fault_of_an_invalid_set(admin_user):
    data = adult_labour_yaml(version=3)
    data["indicators"][0]["dimension"] = "nowhere"
    data["indicators"][1]["strength"] = "enormous"
    with pytest.raises(ValidationError) as info:
        content_import(actor=admin_user, filename="bad.yaml", raw=_yaml_bytes(data))
    problems = " ".join(info.value.fields["file"])
    assert "nowhere" in problems and "enormous" in problems
    assert not IndicatorSet.objects.filter(version=3).exists()


def test_import_xlsx(admin_user):
    from openpyxl import Workbook

    book = Workbook()
    meta = book.active
    meta.title = "set"
    for row in [
        ("id", "local-signals"),
        ("version", 1),
        ("title", "Local signals"),
        ("kind", "supplementary"),
        ("provenance", "draft"),
        ("age_groups", "adult, child"),
        ("exploitation", "labour"),
        ("source", "Ministry working group, 2026"),
    ]:
        meta.append(row)
    sheet = book.create_sheet("indicators")
    sheet.append(["id", "dimension", "strength", "text", "equivalent"])
    sheet.append(
        ["loc.no_days_off", "exploitation", "strong", "No day off for months", "ex.excessive_hours"]
    )
    sheet.append(
        ["loc.locked", "coercion_at_destination", "strong", "Locked in at night", "cd.isolation"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    item = content_import(actor=admin_user, filename="local.xlsx", raw=buffer.getvalue())
    assert item.kind == "supplementary" and len(item.parsed.indicators) == 2
    assert item.parsed.by_id["loc.locked"].equivalent == ("cd.isolation",)


def test_publish_then_adopt_changes_new_screenings_only(admin_user):
    rs = Participant.objects.get(code="RS")
    organisation = make_organisation("RS")
    answers = {"age": 30, "documents_held": "yes", "danger_now": "no"}
    before = make_screening(organisation, answers=answers, complete=True)
    assert before.outcome == "potential_victim"  # a strong coercion indicator
    rule = yaml.safe_load((DEFAULT_DIR / "rules/veza-default.yaml").read_text())
    rule["version"] = 2
    rule["ladder"][1]["any_of"] = [{"elements_positive": {"adult": 2, "child": 1}}]
    from veza.indicators.models import DecisionRule, checksum

    stricter = DecisionRule.objects.create(
        code="veza-default", version=2, title="Stricter", content=rule, checksum=checksum(rule)
    )
    with pytest.raises(ValidationError, match="Publish"):
        content_adopt(actor=admin_user, item=stricter, participant=rs)
    content_publish(actor=admin_user, item=stricter)
    content_adopt(actor=admin_user, item=stricter, participant=rs, note="Decision 12/2026")
    assert content_bundle(rs).rule.version == 2
    assert content_bundle(Participant.objects.get(code="AL")).rule.version == 1
    after = make_screening(organisation, answers=answers, complete=True)
    assert after.outcome == "indicators_present" and after.rule.version == 2
    before.refresh_from_db()
    assert before.outcome == "potential_victim" and before.rule.version == 1
    assert AuditEntry.objects.filter(action="decisionrule.adopt").exists()


def test_new_version_and_edit_of_rows(admin_user):
    original = IndicatorSet.objects.get(code="ilo-ec-2009-adult-labour", version=1)
    copy = set_new_version(actor=admin_user, indicator_set=original)
    assert copy.version == 2 and copy.status == ContentStatus.PROPOSED
    row = copy.indicators.get(code="rv.past_difficulties")
    row.strength, row.provenance = "medium", "verified"
    row.save()
    set_rebuild_from_rows(actor=admin_user, indicator_set=copy)
    copy.refresh_from_db()
    assert copy.parsed.by_id["rv.past_difficulties"].strength == "medium"
    row.dimension = "nowhere"
    row.save()
    with pytest.raises(ValidationError):
        set_rebuild_from_rows(actor=admin_user, indicator_set=copy)
    with pytest.raises(ValidationError, match="Published"):
        set_rebuild_from_rows(actor=admin_user, indicator_set=original)


def test_indicator_pages_import_review_publish_adopt(client, admin_user):
    login_verified(client, admin_user)
    assert client.get("/indicators/").status_code == 200
    data = adult_labour_yaml(version=5)
    data["indicators"][0]["strength"] = "medium"
    upload = io.BytesIO(_yaml_bytes(data))
    upload.name = "v5.yaml"
    response = client.post("/indicators/import/", {"file": upload})
    assert response.status_code == 302
    item = IndicatorSet.objects.get(version=5)
    page = client.get(response["Location"]).content.decode()
    assert "dr.nature_place_employer" in page and "strong → medium" in page
    client.post(f"/indicators/sets/{item.pk}/publish/")
    client.post(f"/indicators/sets/{item.pk}/adopt/", {"participant": "ME", "note": "test"})
    assert Adoption.objects.filter(indicator_set=item, participant__code="ME").exists()
    bad = io.BytesIO(b"id: [")
    bad.name = "bad.yaml"
    response = client.post("/indicators/import/", {"file": bad})
    assert response.status_code == 400 and b"not valid YAML" in response.content


def test_frontline_may_read_content_but_not_adopt(client, member):
    login_verified(client, member)
    item = IndicatorSet.objects.get(code="ilo-ec-2009-child-labour")
    page = client.get(f"/indicators/sets/{item.pk}/")
    assert page.status_code == 200 and b"Draft" in page.content
    assert client.get("/indicators/import/").status_code == 403
    assert (
        client.post(f"/indicators/sets/{item.pk}/adopt/", {"participant": "RS"}).status_code == 403
    )
    q = Questionnaire.objects.get(code="health")
    page = client.get(f"/indicators/questionnaires/{q.pk}/").content.decode()
    assert "PEARR" in page or "privacy" in page.lower()


def test_indicator_commands(capsys):
    import json

    call_command("indicators", "sets", "--format", "json")
    rows = json.loads(capsys.readouterr().out)
    assert {"ilo-ec-2009-adult-labour", "unodc-indicators"} <= {r["id"] for r in rows}
    assert all({"id", "version", "applies_to", "provenance"} <= set(r) for r in rows)
    call_command("indicators", "list", "--set", "ilo-ec-2009-adult-labour", "--format", "json")
    indicators = json.loads(capsys.readouterr().out)
    assert len(indicators) == 67
    assert {"id", "dimension", "strength", "text"} <= set(indicators[0])
    call_command("indicators", "check")
    assert "ok:" in capsys.readouterr().out


def test_administrator_edits_a_proposed_set_in_the_admin(client, admin_user):
    login_verified(client, admin_user)
    original = IndicatorSet.objects.get(code="ilo-ec-2009-adult-labour", version=1)
    page = client.get(f"/admin/indicators/indicatorset/{original.pk}/change/")
    assert page.status_code == 200
    assert b'name="indicators-0-strength"' not in page.content  # published: read-only
    copy = set_new_version(actor=admin_user, indicator_set=original)
    page = client.get(f"/admin/indicators/indicatorset/{copy.pk}/change/")
    assert b'name="indicators-0-strength"' in page.content
    rows = list(copy.indicators.order_by("order", "pk"))
    data = {
        "indicators-TOTAL_FORMS": len(rows),
        "indicators-INITIAL_FORMS": len(rows),
        "indicators-MIN_NUM_FORMS": 0,
        "indicators-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        data.update(
            {
                f"indicators-{n}-id": row.pk,
                f"indicators-{n}-indicator_set": copy.pk,
                f"indicators-{n}-order": row.order,
                f"indicators-{n}-code": row.code,
                f"indicators-{n}-dimension": row.dimension,
                f"indicators-{n}-strength": row.strength,
                f"indicators-{n}-provenance": row.provenance,
                f"indicators-{n}-text": row.text,
            }
        )
    data["indicators-0-strength"] = "medium"
    response = client.post(f"/admin/indicators/indicatorset/{copy.pk}/change/", data)
    assert response.status_code == 302, response.content[:500]
    copy = IndicatorSet.objects.get(pk=copy.pk)
    assert copy.parsed.by_id[rows[0].code].strength == "medium"
    assert AuditEntry.objects.filter(action="set.edit", object_id=str(copy.pk)).exists()


def test_rules_and_questionnaires_are_imported_published_and_adopted_too(client, admin_user):
    login_verified(client, admin_user)
    rule = yaml.safe_load((DEFAULT_DIR / "rules/veza-default.yaml").read_text())
    rule["version"] = 7
    item = content_import(actor=admin_user, filename="rule.yaml", raw=_yaml_bytes(rule))
    page = client.get(f"/indicators/rules/{item.pk}/")
    assert page.status_code == 200 and b"positivity" in page.content
    client.post(f"/indicators/rules/{item.pk}/publish/")
    client.post(f"/indicators/rules/{item.pk}/adopt/", {"participant": "AL"})
    assert content_bundle(Participant.objects.get(code="AL")).rule.version == 7
    quick = yaml.safe_load((DEFAULT_DIR / "questionnaires/quick.yaml").read_text())
    quick["version"] = 2
    quick["sections"][1]["questions"][0]["indicators"] = ["xx.unknown"]
    with pytest.raises(ValidationError) as info:
        content_import(actor=admin_user, filename="quick.yaml", raw=_yaml_bytes(quick))
    assert "xx.unknown" in " ".join(info.value.fields["file"])
    quick["sections"][1]["questions"][0]["indicators"] = ["cd.documents_confiscated"]
    item = content_import(actor=admin_user, filename="quick.yaml", raw=_yaml_bytes(quick))
    assert item.status == ContentStatus.PROPOSED and item.mode == "quick"
    response = client.post(f"/indicators/questionnaires/{item.pk}/publish/")
    assert response["Location"] == f"/indicators/questionnaires/{item.pk}/"


def test_no_shipped_indicator_text_is_cut_short():
    """An unquoted comma in a one-line YAML mapping ends the text there and leaves empty keys:
    every indicator carries only the fields the engine knows, each with a value."""
    known = {"id", "dimension", "strength", "text", "note", "provenance", "equivalent", "list"}
    for path in (DEFAULT_DIR / "indicators").glob("*.yaml"):
        for item in yaml.safe_load(path.read_text())["indicators"]:
            assert set(item) <= known, (path.name, item["id"], set(item) - known)
            assert all(value is not None for value in item.values()), (path.name, item["id"])


def test_a_failure_while_writing_an_import_leaves_nothing_half_written(admin_user, monkeypatch):
    """The set is written, then its indicators fail: neither the set nor its audit entry stay."""
    from django.db import IntegrityError

    from veza.indicators.models import Indicator

    def fail(*args, **kwargs):
        raise IntegrityError("the database refused the indicators")

    monkeypatch.setattr(Indicator.objects, "bulk_create", fail)
    before = (IndicatorSet.objects.count(), Indicator.objects.count(), AuditEntry.objects.count())
    with pytest.raises(IntegrityError):
        content_import(
            actor=admin_user, filename="set.yaml", raw=_yaml_bytes(adult_labour_yaml(version=7))
        )
    after = (IndicatorSet.objects.count(), Indicator.objects.count(), AuditEntry.objects.count())
    assert after == before


def test_a_bundle_is_read_once_and_follows_adoptions_even_rolled_back_ones(admin_user):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from veza.indicators.models import DecisionRule, checksum

    rs = Participant.objects.get(code="RS")
    first = content_bundle(rs)
    with CaptureQueriesContext(connection) as queries:
        assert content_bundle(rs) is first  # unchanged content: one query for its stamp
    assert len(queries) == 1
    rule = yaml.safe_load((DEFAULT_DIR / "rules/veza-default.yaml").read_text())
    rule["version"] = 3
    newer = DecisionRule.objects.create(
        code="veza-default", version=3, title="Newer", content=rule, checksum=checksum(rule)
    )
    content_publish(actor=admin_user, item=newer)
    assert content_bundle(rs).rule.version == 1  # published, not adopted: nothing changes

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        content_adopt(actor=admin_user, item=newer, participant=rs)
        assert content_bundle(rs).rule.version == 3
        raise Undo
    assert content_bundle(rs).rule.version == 1  # the adoption was rolled back
    content_adopt(actor=admin_user, item=newer, participant=rs)
    assert content_bundle(rs).rule.version == 3
