from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "veza.referrals"
    verbose_name = _("Referrals")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.hooks import register_action, register_panels
        from veza.core.navigation import NavItem, register_nav
        from veza.referrals import (
            emergency_notices,  # noqa: F401  (emergency-access receiver)
            services,  # noqa: F401  (consent-withdrawal receiver)
        )
        from veza.referrals.demo import demo_referrals
        from veza.referrals.views import case_actions, case_panels

        register_demo_step(50, "services and referrals", demo_referrals)
        from veza.core.scale import register_scale_step
        from veza.referrals.scale import scale_directory, scale_referrals

        register_scale_step(40, "referrals", prepare=scale_directory, batch=scale_referrals)
        register_panels("case.panels", case_panels)
        register_action("case.detail", case_actions)
        register_nav(
            NavItem(
                "worklist",
                _("Worklist"),
                "referrals:worklist",
                "referrals.view_referral",
                _("Referrals waiting for you, deadlines due soon or overdue, your open cases."),
                order=5,
            )
        )
        register_nav(
            NavItem(
                "services",
                _("Services"),
                "referrals:directory",
                "referrals.view_service",
                _("Who offers shelter, health care, legal aid and more, with free places now."),
                order=30,
            )
        )
