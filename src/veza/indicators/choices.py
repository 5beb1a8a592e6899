from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ContentStatus", "Dimension", "Outcome", "Provenance", "Strength", "UrgentFlag"]


class ContentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed (under review)")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class Provenance(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    DRAFT = "draft", _("Draft — to be reviewed by the national authority")


class Strength(models.TextChoices):
    STRONG = "strong", _("Strong")
    MEDIUM = "medium", _("Medium")
    WEAK = "weak", _("Weak")


class Dimension(models.TextChoices):
    DECEPTIVE_RECRUITMENT = "deceptive_recruitment", _("Deceptive recruitment")
    COERCIVE_RECRUITMENT = "coercive_recruitment", _("Coercive recruitment")
    RECRUITMENT_ABUSE_OF_VULNERABILITY = (
        "recruitment_abuse_of_vulnerability",
        _("Recruitment by abuse of vulnerability"),
    )
    EXPLOITATION = "exploitation", _("Exploitation")
    COERCION_AT_DESTINATION = "coercion_at_destination", _("Coercion at destination")
    ABUSE_OF_VULNERABILITY_AT_DESTINATION = (
        "abuse_of_vulnerability_at_destination",
        _("Abuse of vulnerability at destination"),
    )


class Element(models.TextChoices):
    RECRUITMENT = "recruitment", _("Recruitment (the act)")
    EXPLOITATION = "exploitation", _("Exploitation (the purpose)")
    MEANS = "means", _("Means (coercion or abuse of vulnerability)")


class Outcome(models.TextChoices):
    NO_INDICATORS = "no_indicators", _("No indicators")
    INDICATORS_PRESENT = "indicators_present", _("Indicators present")
    POTENTIAL_VICTIM = "potential_victim", _("Potential victim")
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")


class UrgentFlag(models.TextChoices):
    IMMEDIATE_DANGER = "immediate_danger", _("Immediate danger to the person or others")
    EMERGENCY_MEDICAL = "emergency_medical", _("Needs emergency medical care")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    PRESUMED_CHILD = "presumed_child", _("Presumed a child (age uncertain)")


class Action(models.TextChoices):
    REFER_IDENTIFICATION_PROTECTION = (
        "refer_identification_protection",
        _(
            "Refer at once for formal identification and protection. Reasonable grounds exist: "
            "the person must not be removed from the country, and the recovery and reflection "
            "period (at least 30 days) starts."
        ),
    )
    REFER_IDENTIFICATION = "refer_identification", _("Refer for formal identification.")
    CONSULT_FOCAL_POINT = (
        "consult_focal_point",
        _(
            "Consult the referral mechanism's focal point, record what you saw, stay alert, and "
            "screen again when you can."
        ),
    )
    NONE = "none", _("No action needed on these answers.")


class QuickAction(models.TextChoices):
    REFER_NOW = "refer_now", _("Refer now")
    INTERVIEW_LATER = "interview_later", _("Detailed interview later")
    NO_ACTION = "no_action", _("No action")
