from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training events and courses, attendance, and practice cases screened with the real
    questionnaires, scored and certified, never mixed with real screenings."""

    name = "veza.training"
    label = "training"
    verbose_name = _("Training and practice")
