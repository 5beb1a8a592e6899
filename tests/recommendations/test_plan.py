"""The draft action plan, read back: the DOCX (python-docx) and the PDF (pypdf) name the same
measures, the recommendations each answers, the open recommendations and the budget totals that
the database holds."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation
from docx import Document
from pypdf import PdfReader

from tests.factories import login_verified
from tests.recommendations.helpers import (
    measure,
    objective,
    policy_officer,
    recommendation,
    repeats,
    report,
    source,
    strategy,
)
from veza.core.models import AuditEntry
from veza.recommendations.choices import Theme
from veza.recommendations.coverage import answered_ids
from veza.recommendations.models import Measure, Recommendation
from veza.recommendations.plan import money, plan_data
from veza.recommendations.plan_render import plan_docx, plan_pdf

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    """Without whitespace: a table cell may wrap a label over two lines."""
    return "".join(text.split())


def docx_text(raw: bytes) -> str:
    document = Document(io.BytesIO(raw))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_text(raw: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages)


@pytest.fixture
def plan():
    greta = source("greta", year=2019, title="GRETA report (plan test)")
    tip = source("us_tip", year=2024, title="TIP report (plan test)")
    screening = recommendation(src=greta, year=2019, reference="112", theme="protection")
    again = recommendation(src=tip, year=2024, reference="P1", theme="protection")
    repeats(again, screening)
    funding = recommendation(src=tip, year=2024, reference="P2", theme="protection")
    sentences = recommendation(src=greta, year=2019, reference="130", theme="prosecution")
    open_a = recommendation(src=greta, year=2019, reference="150", theme="prosecution")
    open_b = recommendation(src=tip, year=2024, reference="P5", theme="prosecution")
    repeats(open_b, open_a)  # a persistent gap, shown as repeated in the plan
    recommendation("MK", src=tip, year=2024, reference="P9")  # another participant's
    item = strategy(
        title="Action plan 2025-2027 (plan test)",
        context="First paragraph of the context.\n\nSecond paragraph.",
    )
    protect = objective(item, "protection", "Every victim is identified early.")
    prosecute = objective(item, "prosecution", "Traffickers are convicted.")
    objective(item, "partnership", "The plan is monitored with civil society.")
    first = measure(
        protect,
        title="Screening protocol for reception centres",
        responsible="Commissariat (test)",
        partners="UNHCR (test)",
        deadline=datetime.date(2026, 3, 31),
        budget=Decimal("45000.50"),
        currency="EUR",
        funding_source="State budget",
        output_indicator="Protocol adopted",
        outcome_indicator="Victims identified in centres",
        baseline="3",
        target="25",
        answers=[screening, again],
    )
    measure(
        protect,
        title="Multi-year contracts for shelters",
        responsible="Ministry of Social Affairs (test)",
        budget=Decimal("1200000"),
        currency="RSD",
        funding_source="State budget",
        answers=[funding],
    )
    measure(
        prosecute,
        title="Guidance for prosecutors",
        responsible="Prosecutor's Office (test)",
        budget=Decimal("8000"),
        currency="EUR",
        funding_source="OSCE project",
        answers=[sentences],
    )
    measure(prosecute, title="Judges' seminars without a budget", responsible="Academy (test)")
    report(first, "in_progress", indicator_value="9", period="2026 H1")
    return item


def expected_budget(strategy):
    totals = (
        Measure.objects.filter(objective__strategy=strategy, budget__isnull=False)
        .values("currency")
        .annotate(total=Sum("budget"))
    )
    return money({row["currency"]: row["total"] for row in totals})


def check_contents(text: str, strategy) -> None:
    flat = squash(text)
    assert squash(strategy.title) in flat
    assert "Secondparagraph." in flat
    measures = Measure.objects.filter(objective__strategy=strategy).prefetch_related(
        "recommendations__source"
    )
    for m in measures:
        assert squash(m.title) in flat, m.title
        assert squash(m.responsible) in flat
        for r in m.recommendations.all():
            assert squash(r.label) in flat, r.label
    answered = answered_ids([strategy.participant_id])
    open_recs = Recommendation.objects.filter(participant=strategy.participant).exclude(
        pk__in=answered
    )
    assert open_recs.count() == 2
    for r in open_recs:
        assert squash(r.label) in flat
    assert "P9" not in flat  # another participant's recommendation
    assert squash(expected_budget(strategy)) in flat
    assert squash("45,000.50 EUR") in flat  # the measure's own budget
    assert squash(money({"EUR": Decimal("8000")})) in flat  # prosecution's theme total
    for label in Theme.labels:
        assert squash(str(label)) in flat
    for heading in (
        "1. Context",
        "2. Objectives",
        "3. Measures",
        "5. Monitoring and evaluation",
        "6. Budget",
    ):
        assert squash(heading) in flat
    assert "repeatedacrossyearsorsources" in flat
    assert "Measureswithoutabudget:1." in flat


def test_plan_data_matches_the_database(plan):
    data = plan_data(plan, today=datetime.date(2026, 11, 25))
    assert data.budget_total == expected_budget(plan) == "53,000.50 EUR; 1,200,000.00 RSD"
    titles = [m.title for m in data.measures]
    assert titles == [
        "Screening protocol for reception centres",
        "Multi-year contracts for shelters",
        "Guidance for prosecutors",
        "Judges' seminars without a budget",
    ]
    first = data.measures[0]
    assert first.recommendations == ["GRETA 2019 · 112", "US TIP 2024 · P1"]
    assert first.overdue and first.status == "in progress" and first.indicator_value == "9"
    prosecution = data.themes[2]
    assert prosecution.budget == "8,000.00 EUR"
    assert [r.label for r in prosecution.open_recommendations] == [
        "US TIP 2024 · P5",
        "GRETA 2019 · 150",
    ]
    assert all(r.repeated for r in prosecution.open_recommendations)
    assert data.summary == {
        "recommendations": 6,
        "open": 2,
        "repeated_open": 2,
        "measures": 4,
        "overdue": 1,
    }
    assert not data.demo


def test_docx_read_back_matches_the_database(plan):
    raw = plan_docx(plan_data(plan))
    check_contents(docx_text(raw), plan)


def test_pdf_read_back_matches_the_database(plan):
    raw = plan_pdf(plan_data(plan))
    assert raw.startswith(b"%PDF")
    check_contents(pdf_text(raw), plan)


def test_both_downloads_from_the_page_are_audited_exports(client, plan):
    login_verified(client, policy_officer("RS"))
    url = reverse("recommendations:plan-draft", args=[plan.pk])
    docx = client.get(url, {"format": "docx"})
    assert docx.status_code == 200 and "wordprocessingml" in docx["Content-Type"]
    check_contents(docx_text(docx.content), plan)
    pdf = client.get(url, {"format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    check_contents(pdf_text(pdf.content), plan)
    assert client.get(url, {"format": "odt"}).status_code == 400
    exports = AuditEntry.objects.filter(action="strategy.export").values_list("detail", flat=True)
    assert [d["format"] for d in exports] == ["docx", "pdf"]


def test_the_plan_speaks_the_user_language_and_marks_demo_content(plan):
    plan.is_demo = True
    plan.save()
    with translation.override("sr"):
        data = plan_data(plan)
        text = docx_text(plan_docx(data))
        pdf = pdf_text(plan_pdf(data))
    for body in (text, pdf):
        assert "Заштита" in body  # "Protection" in Serbian (Cyrillic)
        assert "Демо" in body  # the demo note
        assert squash("45.000,50 EUR") in squash(body)  # the language's number format


def test_the_command_writes_the_plan(tmp_path, plan):
    from django.core.management import call_command

    out = tmp_path / "plan.docx"
    call_command("recommendations", "plan", str(plan.pk), "--out", str(out))
    check_contents(docx_text(out.read_bytes()), plan)


def test_a_link_within_one_source_and_year_is_not_called_repeated(plan):
    from tests.recommendations.helpers import source as make_source

    same = make_source("osce", year=2025, title="OSCE report (plan test)")
    a = recommendation(src=same, year=2025, reference="1", theme="partnership")
    b = recommendation(src=same, year=2025, reference="2", theme="partnership")
    repeats(b, a)
    partnership = plan_data(plan).themes[3]
    assert [r.repeated for r in partnership.open_recommendations] == [False, False]
