from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Mode", "Origin", "ScreeningStatus"]


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    COMPLETED = "completed", _("Completed")


class Mode(models.TextChoices):
    FULL = "full", _("Sector screening")
    QUICK = "quick", _("Emergency quick screen")


class Origin(models.TextChoices):
    WEB = "web", _("Veza pages")
    API = "api", _("API")
    IMPORT = "import", _("Imported")
    DEMO = "demo", _("Demo data")
