"""Code lists of the cases app, named after the Human Trafficking Case Data Standard (HTCDS v2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = [
    "CaseStatus",
    "ConsentGiver",
    "ConsentPurpose",
    "Exploitation",
    "MethodOfControl",
    "Sex",
    "TraffickingStatus",
]


class CaseStatus(models.TextChoices):
    # A context of their own: "active" and "closed" agree with "case" in the regional languages.
    ACTIVE = "Active", pgettext_lazy("case status", "Active")
    FOLLOW_UP = "FollowUp", pgettext_lazy("case status", "Follow-up")
    CLOSED = "Closed", pgettext_lazy("case status", "Closed")
    CLOSED_REFERRED = "ClosedReferred", pgettext_lazy("case status", "Closed — referred on")


class TraffickingStatus(models.TextChoices):
    POSSIBLE = "Possible", _("Possible victim (not yet decided)")
    ACTUAL = "Actual", _("Identified victim")
    NOT_A_VICTIM = "NotAVictim", _("Not a victim of trafficking")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender")
    UNKNOWN = "unknown", _("Unknown")


class Exploitation(models.TextChoices):
    SEXUAL = "sexual_exploitation", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour or services")
    DOMESTIC_SERVITUDE = "domestic_servitude", _("Domestic servitude")
    FORCED_BEGGING = "forced_begging", _("Forced begging")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminal activity")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    REMOVAL_OF_ORGANS = "removal_of_organs", _("Removal of organs")
    SLAVERY = "slavery_practices", _("Slavery or similar practices, servitude")
    ILLEGAL_ADOPTION = "illegal_adoption", _("Illegal adoption")
    SURROGACY = "surrogacy_exploitation", _("Exploitation of surrogacy")
    OTHER = "other", _("Other form")


class MethodOfControl(models.TextChoices):
    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    TAKES_EARNINGS = "takes_earnings", _("Takes the earnings")
    RESTRICTS_FINANCES = "restricts_financial_access", _("Restricts access to money")
    THREATS = "threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    FALSE_PROMISES = "false_promises", _("False promises")
    SUBSTANCES = "psychoactive_substances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Restricts medical care")
    EXCESSIVE_HOURS = "excessive_working_hours", _("Excessive working hours")
    USES_CHILDREN = "uses_children", _("Uses the person's children")
    THREAT_LAW_ENFORCEMENT = "threat_of_law_enforcement", _("Threat of the police or deportation")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Withholds food, sleep or other necessities")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds documents")
    OTHER = "other", _("Other method")


class ConsentPurpose(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance and protection")
    REFERRAL = "referral", _("Referral to a named organisation")
    DATA_SHARING = "data_sharing", _("Sharing data with a named organisation")
    CROSS_BORDER = "cross_border", _("Referral to another country's services")
    RESEARCH = "research", _("Research and statistics (non-identifying)")


class ConsentGiver(models.TextChoices):
    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("Guardian")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
