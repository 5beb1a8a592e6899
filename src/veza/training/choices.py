"""Code lists of training: the kinds of course, the topics a course covers and the status of an
enrolment (who attended)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["INDICATOR_TOPICS", "SOP_TOPICS", "TRAINED", "CourseKind", "EnrolmentStatus", "Topic"]


class CourseKind(models.TextChoices):
    COURSE = "course", _("Course")
    EVENT = "event", _("Event")
    E_LEARNING = "e_learning", _("E-learning")


class Topic(models.TextChoices):
    INDICATORS = "indicators", _("Indicators of trafficking")
    SOP = "sop", _("Standard operating procedures")
    NRM_REFERRAL = "nrm_referral", _("National referral mechanism and referral")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    INTERVIEWING = "interviewing", _("Interviewing")
    LABOUR_EXPLOITATION = "labour_exploitation", _("Labour exploitation")
    DATA_PROTECTION = "data_protection", _("Data protection")
    TRAUMA_INFORMED_CARE = "trauma_informed_care", _("Trauma-informed care")


#: The coverage view's two questions: trained on the indicators, trained on the procedures.
INDICATOR_TOPICS = (Topic.INDICATORS,)
SOP_TOPICS = (Topic.SOP, Topic.NRM_REFERRAL)


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    ATTENDED = "attended", _("Attended")
    COMPLETED = "completed", _("Completed")
    ABSENT = "absent", _("Absent")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Statuses that count as trained in the coverage view.
TRAINED = (EnrolmentStatus.ATTENDED, EnrolmentStatus.COMPLETED)
