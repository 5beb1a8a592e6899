"""Writes that race: the same recommendation saved twice at once is refused cleanly."""

import pytest

from tests.recommendations.helpers import recommendation, source
from veza.core.errors import ConflictError
from veza.organisations.models import Participant
from veza.recommendations import services
from veza.recommendations.models import Recommendation

pytestmark = pytest.mark.django_db


def test_a_number_taken_between_the_check_and_the_write_is_a_conflict(monkeypatch):
    src = source()
    first = recommendation(src=src, reference="12")
    # Another person's save lands after this one's check: the check sees nothing, the database
    # constraint refuses the row, and the caller gets a conflict (not a server error).
    monkeypatch.setattr(services, "_unique", lambda *args, **kwargs: None)
    with pytest.raises(ConflictError):
        services.recommendation_create(
            actor="test",
            participant=Participant.objects.get(code="RS"),
            source=src,
            reference="12",
            text=first.text,
            theme="protection",
            year=first.year,
        )
    assert Recommendation.objects.filter(reference="12").count() == 1
