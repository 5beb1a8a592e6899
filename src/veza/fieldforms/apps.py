from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class FieldFormsConfig(AppConfig):
    name = "veza.fieldforms"
    label = "fieldforms"
    verbose_name = _("Offline forms")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.fieldforms.demo import demo_offline_imports
        from veza.referrals.notices import register_notice

        register_demo_step(35, "offline forms", demo_offline_imports)
        register_notice(
            "screening.imported",
            gettext_noop("Imported screenings need action: see the worklist"),
            "referrals:worklist",
        )
        register_nav(
            NavItem(
                "offline_forms",
                _("Offline forms"),
                "fieldforms:index",
                "screening.add_screening",
                _("Screen with ODK Collect or KoboToolbox where there is no network."),
                order=15,
            )
        )
