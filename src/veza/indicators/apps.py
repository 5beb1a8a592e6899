from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "veza.indicators"
    verbose_name = _("Indicators and questionnaires")

    def ready(self):
        from veza.core.navigation import NavItem, register_nav
        from veza.indicators.services import content_sync_after_migrate

        post_migrate.connect(content_sync_after_migrate, dispatch_uid="veza-indicators-sync")
        from veza.core.hooks import register_panels
        from veza.indicators.views import translations_panel

        register_panels("translations", translations_panel)
        register_nav(
            NavItem(
                "indicators",
                _("Indicators"),
                "indicators:set-list",
                "indicators.view_indicatorset",
                _("The indicator lists, decision rule and questionnaires in use, with versions."),
                order=70,
            )
        )
