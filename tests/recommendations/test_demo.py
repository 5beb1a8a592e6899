"""The demo: realistic recommendations for every participant, plans for RS and MK with overdue
measures and progress, all marked as demo content, idempotent; the demo import file imports."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from veza.organisations.demo import demo_load
from veza.organisations.models import Participant
from veza.recommendations.coverage import chains, overdue_measures
from veza.recommendations.demo import demo_recommendations, half_years
from veza.recommendations.importer import recommendations_import
from veza.recommendations.models import (
    Measure,
    ProgressReport,
    Recommendation,
    RecommendationLink,
    Source,
    Strategy,
)

pytestmark = pytest.mark.django_db
DEMO_FILE = Path(settings.VEZA_CONTENT_DIR) / "recommendations/demo-import.csv"


def totals():
    return [
        m.objects.count()
        for m in (Source, Recommendation, RecommendationLink, Strategy, Measure, ProgressReport)
    ]


def test_demo_is_realistic_marked_and_idempotent():
    demo_recommendations()
    first = totals()
    demo_recommendations()
    assert totals() == first
    for participant in Participant.objects.filter(kind="national"):
        recs = Recommendation.objects.filter(participant=participant)
        assert 12 <= recs.count() <= 20, participant.code
        assert recs.values("source").distinct().count() >= 2
        assert recs.values("year").distinct().count() >= 2
        assert any(c.repeated for c in chains([participant.pk])), participant.code
    assert not Recommendation.objects.filter(is_demo=False).exists()
    assert not Source.objects.filter(is_demo=False).exists()
    assert set(Strategy.objects.values_list("participant__code", flat=True)) == {"RS", "MK"}
    assert not Measure.objects.filter(is_demo=False).exists()
    rs = Participant.objects.get(code="RS")
    assert overdue_measures([rs.pk], today=timezone.localdate())
    assert any(c.gap for c in chains([rs.pk]))
    assert ProgressReport.objects.values("measure").distinct().count() >= 5


def test_the_demo_import_file_imports_after_the_demo_and_repeats_its_recommendations():
    demo_load()
    demo_recommendations()
    user = get_user_model().objects.get(username="rs.policy")
    result = recommendations_import(
        actor=user, file_name=DEMO_FILE.name, raw=DEMO_FILE.read_bytes()
    )
    assert result.created >= 5 and result.links_created >= 3
    assert result.participants == ["RS"]
    assert Recommendation.objects.filter(pk__in=result.ids, is_demo=True).count() == result.created


def test_half_years_end_before_today():
    import datetime

    assert half_years(datetime.date(2026, 11, 25), 3) == [
        ("2026 H1", datetime.date(2026, 6, 30)),
        ("2025 H2", datetime.date(2025, 12, 31)),
        ("2025 H1", datetime.date(2025, 6, 30)),
    ]
    assert half_years(datetime.date(2026, 3, 1), 1) == [("2025 H2", datetime.date(2025, 12, 31))]
