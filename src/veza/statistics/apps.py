from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "veza.statistics"
    label = "veza_statistics"
    verbose_name = _("Regional statistics")

    def ready(self):
        from veza.core.navigation import NavItem, register_nav

        register_nav(
            NavItem(
                "trends",
                _("Regional trends"),
                "statistics:trends",
                "veza_statistics.view_observation",
                _("Aggregate, protected figures of the region beside the UNODC Global Report."),
                order=60,
            )
        )
