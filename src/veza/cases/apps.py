from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "veza.cases"
    verbose_name = _("Cases")

    def ready(self):
        from veza.cases.demo import demo_cases
        from veza.cases.emergency_views import emergency_banners
        from veza.cases.views import screening_actions
        from veza.core.demo import register_demo_step
        from veza.core.hooks import register_action, register_banner

        register_demo_step(40, "cases", demo_cases)
        from veza.core.navigation import NavItem, register_nav

        register_action("screening.outcome", screening_actions)
        register_banner(emergency_banners)
        register_nav(
            NavItem(
                "cases",
                _("Cases"),
                "cases:list",
                "cases.view_case",
                _("People your organisation protects: status, consent, decisions, timeline."),
                order=20,
            )
        )
