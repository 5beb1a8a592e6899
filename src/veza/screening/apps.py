from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "veza.screening"
    verbose_name = _("Screening")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.screening.demo import demo_screenings

        register_demo_step(30, "screenings", demo_screenings)
        from veza.core.scale import register_scale_step
        from veza.screening.scale import scale_screenings, scale_sheets

        register_scale_step(20, "screenings", prepare=scale_sheets, batch=scale_screenings)
        register_nav(
            NavItem(
                "screenings",
                _("Screenings"),
                "screening:list",
                "screening.view_screening",
                _("Screen a person for signs of trafficking, in your sector's words, and see why."),
                order=10,
            )
        )
