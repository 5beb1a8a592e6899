"""The sub-topics of recommendations: a data file (`data/recommendations/topics.yaml`) with a
label in every interface language, so that an authority can add a topic without a release."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

from veza.indicators.text import localized

__all__ = ["topic_choices", "topic_codes", "topic_label", "topics"]


@lru_cache(maxsize=1)
def topics() -> dict[str, dict[str, str]]:
    """Code -> labels by language, in the order of the file."""
    path = Path(settings.VEZA_CONTENT_DIR) / "recommendations/topics.yaml"
    with open(path, encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle)["topics"])


def topic_codes() -> list[str]:
    return list(topics())


def topic_label(code: str, language: str | None = None) -> str:
    """The topic's label in the page language (an unknown code is shown as it is)."""
    labels = topics().get(code)
    return localized(labels, language) if labels else code


def topic_choices(language: str | None = None) -> list[tuple[str, str]]:
    return [(code, topic_label(code, language)) for code in topics()]
