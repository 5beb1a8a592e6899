"""Code lists of the guidance library."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Audience", "Kind", "Topic", "VersionStatus"]


class Kind(models.TextChoices):
    GUIDE = "guide", _("Guide")
    SOP = "sop", _("Standard operating procedure")
    INDICATOR_LIST = "indicator_list", _("Indicator list")
    NRM_GUIDANCE = "nrm_guidance", _("Guidance for NRM coordination")
    CIVIL_SOCIETY_GUIDANCE = "civil_society_guidance", _("Guidance for civil-society participation")
    LEAFLET = "leaflet", _("Leaflet")
    OTHER = "other", _("Other document")


class Topic(models.TextChoices):
    IDENTIFICATION = "identification", _("Identification")
    REFERRAL_AND_ASSISTANCE = "referral_and_assistance", _("Referral and assistance")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    LABOUR_EXPLOITATION = "labour_exploitation", _("Labour exploitation")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    PREVENTION = "prevention", _("Prevention")
    DATA_PROTECTION = "data_protection", _("Data protection")
    PROSECUTION_AND_COMPENSATION = (
        "prosecution_and_compensation",
        _("Prosecution and compensation"),
    )
    OTHER = "other", _("Other topic")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone (published on the public page)")
    PROFESSIONALS = "professionals", _("Professionals only")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
