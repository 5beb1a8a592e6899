"""Template context shared by every page."""

from django.conf import settings

from veza.core.hooks import banners_for
from veza.core.navigation import nav_items_for

__all__ = ["veza"]


def veza(request):
    user = getattr(request, "user", None)
    return {
        "VEZA_DEMO": settings.DEMO,
        "VEZA_ENV": settings.VEZA_ENV,
        "VEZA_LEAVE_URL": settings.LEAVE_URL,
        "nav_items": nav_items_for(user) if user is not None else [],
        # Lazy: computed only when a page renders them (not for JSON or file responses).
        "page_banners": lambda: banners_for(request),
        "language_choices": [
            (code, settings.LANGUAGE_NATIVE_NAMES.get(code, str(name)))
            for code, name in settings.LANGUAGES
        ],
    }
