from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ORIGIN_TOOLS", "Mode", "Origin", "ScreeningStatus"]


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


#: The tools an imported screening may have been recorded with (`Screening.origin_tool`).
ORIGIN_TOOLS = {
    "odk_central": "ODK Central",
    "kobotoolbox": "KoboToolbox",
    "xlsform": _("an XLSForm tool"),
}
