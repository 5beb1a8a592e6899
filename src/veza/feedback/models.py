"""One anonymous answer to the survivor feedback form.

It is deliberately a plain `models.Model`, not a base model of veza.core: nothing records when it
was made (no created/updated timestamps, no version), who made it, from where (no IP address, no
user agent) or through which organisation. What is kept is what the summary counts: the
participant and the service type the link named, the month (its first day — never a finer time),
the form's language and the answers. The key is random, so not even the order of the rows tells
when an answer came in.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.referrals.choices import ServiceType

__all__ = ["OFFER", "VIEW", "FeedbackResponse"]

OFFER = "feedback.offer_feedback"
VIEW = "feedback.view_feedbackresponse"


class FeedbackResponse(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    participant = models.ForeignKey(
        "organisations.Participant",
        on_delete=models.PROTECT,
        related_name="feedback_responses",
        verbose_name=_("participant"),
    )
    service_type = models.CharField(_("service"), max_length=24, choices=ServiceType.choices)
    #: The first day of the month the answers came in: never a finer time.
    month = models.DateField(_("month"))
    language = models.CharField(_("language of the form"), max_length=8)
    #: question code -> answer code, only the questions answered.
    answers = models.JSONField(_("answers"), default=dict)

    class Meta:
        verbose_name = _("feedback response")
        verbose_name_plural = _("feedback responses")
        # No default ordering: rows have no order worth showing (and none is kept).
        default_permissions = ("view",)
        permissions = [("offer_feedback", _("Can offer the anonymous feedback form"))]
        indexes = [models.Index(fields=["participant", "month"], name="feedback_participant_month")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="feedback_month_first_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.service_type} {self.month:%Y-%m}"
