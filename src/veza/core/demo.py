"""The demonstration data: each app registers a step; `veza demo` runs them in order.

Lower apps cannot import higher ones, so the steps are collected here (in each app's `ready()`).
Every step must be idempotent and refuse production.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["DemoStep", "demo_steps", "register_demo_step"]


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[..., dict]


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(order: int, name: str, run: Callable[..., dict]) -> None:
    _STEPS[name] = DemoStep(order, name, run)


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))
