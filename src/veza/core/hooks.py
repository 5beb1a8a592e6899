"""Places where a higher app adds actions to a lower app's page (e.g. "open a case" on a
screening's outcome), without the lower app importing the higher one."""

from __future__ import annotations

from collections.abc import Callable

__all__ = [
    "actions_for",
    "banners_for",
    "panels_for",
    "periodic_tasks",
    "register_action",
    "register_banner",
    "register_panels",
    "register_periodic",
]

_ACTIONS: dict[str, list[Callable]] = {}


def register_action(slot: str, provider: Callable) -> None:
    """`provider(request, obj)` returns a list of {"label", "url", "method"} dicts."""
    if provider not in _ACTIONS.setdefault(slot, []):
        _ACTIONS[slot].append(provider)


def actions_for(slot: str, request, obj) -> list[dict]:
    found = []
    for provider in _ACTIONS.get(slot, []):
        found.extend(provider(request, obj))
    return found


_PANELS: dict[str, list[Callable]] = {}


def register_panels(slot: str, provider: Callable) -> None:
    """`provider(request, obj)` returns a list of rendered HTML fragments for the page."""
    if provider not in _PANELS.setdefault(slot, []):
        _PANELS[slot].append(provider)


def panels_for(slot: str) -> list[Callable]:
    return list(_PANELS.get(slot, []))


_BANNERS: list[Callable] = []


def register_banner(provider: Callable) -> None:
    """`provider(request)` returns rendered HTML fragments shown at the top of every page
    (e.g. a live emergency access)."""
    if provider not in _BANNERS:
        _BANNERS.append(provider)


def banners_for(request) -> list[str]:
    return [html for provider in _BANNERS for html in provider(request)]


_PERIODIC: list[tuple] = []


def register_periodic(task, every: int) -> None:
    """A task that `veza worker` keeps scheduled; it is called with `every` (its own period,
    in the unit the task chooses) and re-queues itself."""
    if all(t is not task for t, _every in _PERIODIC):
        _PERIODIC.append((task, every))


def periodic_tasks() -> list[tuple]:
    return list(_PERIODIC)
