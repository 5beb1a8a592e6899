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
        from veza.cases.scale import scale_cases, scale_cases_close, scale_existing
        from veza.core.scale import register_scale_step

        register_scale_step(30, "cases", prepare=scale_existing, batch=scale_cases)
        register_scale_step(90, "cases closed and timelines", batch=scale_cases_close)
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
