"""The navigation registry: each app names its entry points and the permission each needs.

Lower apps cannot import higher ones, so the home page and the menu are built from what the
apps register here in their `ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

__all__ = ["NavItem", "nav_items_for", "register_nav"]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    #: A permission, a test of the user (e.g. "has an interpreter record"), or None for all.
    perm: str | Callable | None
    description: str = ""
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_REGISTRY: dict[str, NavItem] = {}


def register_nav(item: NavItem) -> None:
    _REGISTRY[item.key] = item


def nav_items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    items = [
        i
        for i in _REGISTRY.values()
        if i.perm is None or (i.perm(user) if callable(i.perm) else user.has_perm(i.perm))
    ]
    return sorted(items, key=lambda i: (i.order, i.key))
