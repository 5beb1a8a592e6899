from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DeadlineKind", "ReferralStatus", "ServiceType", "TargetGroup", "Urgency"]


class ServiceType(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    HEALTH = "health", _("Health care")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    IDENTIFICATION = "identification", _("Formal identification")
    REINTEGRATION = "reintegration", _("Reintegration")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    RETURN = "return_assistance", _("Return assistance")


class TargetGroup(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    CHILDREN = "children", _("Children")
    UNACCOMPANIED_CHILDREN = "unaccompanied_children", _("Unaccompanied children")
    LGBTI = "lgbti", _("LGBTI people")
    DISABILITIES = "disabilities", _("People with disabilities")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate (within hours)")
    URGENT = "urgent", _("Urgent (within a day)")
    ROUTINE = "routine", _("Routine")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent — waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DeadlineKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact after a referral")
    IDENTIFICATION_DECISION = "identification_decision", _("Identification decision")
    REFLECTION_END = "reflection_end", _("End of the recovery and reflection period")
