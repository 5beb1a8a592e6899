"""Writes of the core app: user accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from veza.core.audit import audit_log
from veza.core.errors import ValidationError

__all__ = ["user_create", "user_deactivate"]


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    is_demo: bool = False,
    validate: bool = True,
):
    """A new account. The password is checked against the policy unless `validate` is off."""
    User = get_user_model()
    user = User(username=username, first_name=first_name, last_name=last_name, language=language)
    user.is_demo = is_demo
    if validate:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationError(fields={"password": exc.messages}) from exc
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        raise ValidationError(fields=exc.message_dict) from exc
    user.save()
    audit_log("user.create", actor=actor, obj=user, detail={"demo": is_demo})
    return user


@transaction.atomic
def user_deactivate(*, actor, user) -> None:
    """Deactivation takes effect on the user's next request, API tokens included."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_log("user.deactivate", actor=actor, obj=user)
