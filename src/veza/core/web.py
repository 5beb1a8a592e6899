"""Small pieces every page view needs: the version a form was read at, service errors on a form."""

from __future__ import annotations

from veza.core.errors import ValidationError

__all__ = ["add_errors", "posted_version"]


def posted_version(request, *, missing: int | None = -1) -> int | None:
    """The `version` field of a posted form. When it is missing or not a number: `missing`
    (by default -1, which no record has, so the save is refused as a conflict)."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else missing


def add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: per field where the form has the field."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
