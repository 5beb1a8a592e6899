"""Training events and courses, who attended them, and practice.

A `Course` (a course, an event or an e-learning) belongs to one national participant and covers
topics; an `Enrolment` records one professional's place in it and whether they attended. A
`PracticeAttempt` is a trainee's screening of a written practice case with the real questionnaire,
kept here and never in the screening tables, so practice cannot reach screening lists, worklists,
statistics or releases. A `Certificate` is issued once every case of a module is passed.

Enrolments, attempts and certificates are personal data of professionals (see the retention
register, class training_records).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from veza.core.models import VersionedModel
from veza.organisations.choices import Sector
from veza.training.choices import CourseKind, EnrolmentStatus

__all__ = ["Certificate", "Course", "Enrolment", "PracticeAttempt", "new_code"]


class Course(VersionedModel):
    participant = models.ForeignKey(
        "organisations.Participant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CourseKind.choices, default=CourseKind.COURSE
    )
    topics = models.JSONField(_("topics"), default=list)
    sector = models.CharField(
        _("sector"),
        max_length=40,
        choices=Sector.choices,
        blank=True,
        help_text=_("Leave empty when the course is for every sector."),
    )
    organiser = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("organising organisation"),
    )
    trainers = models.CharField(_("trainers"), max_length=300, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [
            ("view_coverage", _("Can see who is trained, per organisation, and the gaps")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="course_dates_order"
            )
        ]
        indexes = [models.Index(fields=["participant", "-starts_on"])]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("course")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("professional"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ENROLLED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["course", "organisation__name", "user__last_name", "user__username"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="enrolment_once_per_course")
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.user_id}"


class PracticeAttempt(models.Model):
    """One trainee's screening of one practice case: answers, the engine's outcome, the score."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("trainee"),
    )
    participant = models.ForeignKey(
        "organisations.Participant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    case_id = models.CharField(_("practice case"), max_length=40)
    questionnaire_code = models.CharField(_("questionnaire"), max_length=40)
    questionnaire_version = models.PositiveIntegerField(_("questionnaire version"))
    answers = models.JSONField(_("answers"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=20)
    score = models.PositiveSmallIntegerField(_("score (%)"))
    passed = models.BooleanField(_("passed"), default=False)
    comparison = models.JSONField(_("comparison"), default=dict)
    completed_at = models.DateTimeField(_("completed"), auto_now_add=True)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        verbose_name = _("practice attempt")
        verbose_name_plural = _("practice attempts")
        permissions = [("practise", _("Can practise screening with the practice cases"))]
        indexes = [models.Index(fields=["user", "case_id"])]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.score} %)"


def new_code() -> str:
    """A verification code nobody can guess (printed on the certificate)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _n in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Certificate(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("holder"),
    )
    participant = models.ForeignKey(
        "organisations.Participant",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    module_id = models.CharField(_("module"), max_length=40)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    code = models.CharField(_("verification code"), max_length=20, unique=True, default=new_code)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module_id"], name="certificate_once_per_module"
            )
        ]

    def __str__(self) -> str:
        return f"{self.module_id} {self.code}"
