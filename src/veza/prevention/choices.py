"""The answers of the self-check (their words for the person come from the data file)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Answer"]


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    DONT_KNOW = "dont_know", _("I don't know")
