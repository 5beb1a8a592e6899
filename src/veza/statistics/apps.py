from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "veza.statistics"
    label = "veza_statistics"
    verbose_name = _("Regional statistics")
