"""Code lists of the recommendations app: who recommends, the 4P themes, the priority a source
gives, how a recommendation's text was written, and the status of a measure."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BODY_SHORT",
    "CLOSED",
    "Body",
    "LinkKind",
    "Priority",
    "ProgressStatus",
    "Theme",
    "Wording",
]


class Body(models.TextChoices):
    GRETA = "greta", _("GRETA (Council of Europe)")
    US_TIP = "us_tip", _("US Trafficking in Persons report")
    CEDAW = "cedaw", _("UN CEDAW Committee")
    CRC = "crc", _("UN Committee on the Rights of the Child")
    OSCE = "osce", _("OSCE")
    OTHER = "other", _("Other")


#: The names practitioners cite a source by; proper names, the same in every language.
BODY_SHORT = {
    Body.GRETA: "GRETA",
    Body.US_TIP: "US TIP",
    Body.CEDAW: "CEDAW",
    Body.CRC: "CRC",
    Body.OSCE: "OSCE",
    Body.OTHER: "",
}


class Theme(models.TextChoices):
    """The 4P of anti-trafficking policy."""

    PREVENTION = "prevention", _("Prevention")
    PROTECTION = "protection", _("Protection")
    PROSECUTION = "prosecution", _("Prosecution")
    PARTNERSHIP = "partnership", _("Partnership")


class Priority(models.TextChoices):
    """The weight the source itself gives, in its own scale (GRETA's verbs, US TIP's list)."""

    URGENT = "urgent", _("urges (GRETA: most pressing)")
    SHOULD = "should", _("should (GRETA)")
    CONSIDER = "consider", _("invites to consider (GRETA)")
    PRIORITIZED = "prioritized", _("prioritized (US TIP)")
    OTHER = "other", _("as given, without a ranking")


class Wording(models.TextChoices):
    OWN_WORDS = "own_words", _("in the project's own words")
    PUBLISHED = "published", _("as published (the licence allows it)")


class LinkKind(models.TextChoices):
    REPEATS = "repeats", _("repeats")
    RELATED = "related", _("is related to")


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DELAYED = "delayed", _("delayed")
    CANCELLED = "cancelled", _("cancelled")


#: Statuses after which a measure is no longer expected to do anything.
CLOSED = (ProgressStatus.DONE, ProgressStatus.CANCELLED)
