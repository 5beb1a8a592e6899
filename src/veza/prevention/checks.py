"""`veza check` reads the self-check's data file, so a broken translation or an unknown indicator
id is found before a visitor meets a server error."""

from __future__ import annotations

from django.core.checks import Error, register

__all__ = ["selfcheck_content"]


@register()
def selfcheck_content(app_configs=None, **kwargs):
    from veza.prevention.selfcheck import SelfCheckError, load_selfcheck

    try:
        load_selfcheck()
    except (SelfCheckError, OSError, KeyError, TypeError) as exc:
        return [Error(f"data/prevention/selfcheck.yaml: {exc}", id="prevention.E001")]
    return []
