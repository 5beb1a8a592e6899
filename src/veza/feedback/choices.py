"""The codes of the feedback form as the staff pages name them (the person's own wording, in the
person's language, is in data/feedback/form.yaml)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Answer", "Question"]


class Question(models.TextChoices):
    SAFE = "safe", _("Felt safe")
    RESPECT = "respect", _("Treated with respect, without judgement")
    LANGUAGE = "language", _("Information in a language understood")
    LISTENED = "listened", _("Listened to; the decisions were theirs")
    NEEDS = "needs", _("The help met their needs")
    RECOMMEND = "recommend", _("Would tell someone to come")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    PREFER_NOT = "prefer_not", _("Prefers not to say")
