"""The SOP content (stages, checklists, deadlines) for a participant, from `data/sop/sop.yaml`."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from veza.indicators.content import load_yaml

__all__ = ["sop_for"]


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = (
            _merge(base[key], value)
            if isinstance(value, dict) and isinstance(base.get(key), dict)
            else value
        )
    return merged


@cache
def _load(path: str) -> dict:
    return load_yaml(path)


def sop_for(participant_code: str) -> dict:
    data = _load(str(Path(settings.VEZA_CONTENT_DIR) / "sop" / "sop.yaml"))
    return _merge(data["default"], (data.get("participants") or {}).get(participant_code, {}))
