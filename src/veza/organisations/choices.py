"""Code lists of the organisations app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["OrganisationType", "ParticipantKind", "RoleCode", "Sector"]


class ParticipantKind(models.TextChoices):
    NATIONAL = "national", _("National participant")
    REGIONAL = "regional", _("Regional centre")


class Sector(models.TextChoices):
    POLICE = "police", _("Police")
    BORDER_ASYLUM_RECEPTION = "border_asylum_reception", _("Border, asylum and reception")
    SOCIAL_WELFARE = "social_welfare", _("Social welfare")
    HEALTH = "health", _("Health")
    LABOUR_INSPECTION = "labour_inspection", _("Labour inspection")
    EMPLOYMENT_SERVICES = "employment_services", _("Employment services")
    EDUCATION = "education", _("Education")
    SHELTER_PROTECTION = "shelter_protection", _("Shelter and protection")
    CSO_OUTREACH = "cso_outreach", _("Civil society outreach")
    IDENTIFICATION_BODY = "identification_body", _("Identification body")
    INTERPRETER_SERVICE = "interpreter_service", _("Interpreter service")
    REGIONAL_CENTRE = "regional_centre", _("Regional centre")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordination")


class OrganisationType(models.TextChoices):
    PUBLIC_BODY = "public_body", _("Public body")
    CSO = "cso", _("Civil society organisation")
    INTERNATIONAL = "international", _("International organisation")


class RoleCode(models.TextChoices):
    FRONTLINE_PROFESSIONAL = "frontline_professional", _("Frontline professional")
    CASE_MANAGER = "case_manager", _("Case manager")
    IDENTIFICATION_OFFICER = "identification_officer", _("Identification officer")
    SERVICE_PROVIDER = "service_provider", _("Service provider")
    NATIONAL_COORDINATOR = "national_coordinator", _("National coordinator")
    REGIONAL_ANALYST = "regional_analyst", _("Regional analyst")
    INTERPRETER_COORDINATOR = "interpreter_coordinator", _("Interpreter coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")
    POLICY_OFFICER = "policy_officer", _("Policy officer")
