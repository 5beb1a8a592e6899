"""Password validators that Django does not ship."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = ["MaximumLengthValidator"]


class MaximumLengthValidator:
    """Long passphrases are welcome, up to a bound that keeps hashing cheap to refuse."""

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It may have at most %(max)d character.",
                    "This password is too long. It may have at most %(max)d characters.",
                    self.max_length,
                )
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Your password may have up to %(max)d characters.") % {"max": self.max_length}
