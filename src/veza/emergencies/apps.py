from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: The notices of emergency mode go to the members of the area's organisations; the worklist
#: is where they see the banner and the screenings to act on.
NOTICES = [
    (
        "emergency.started",
        gettext_noop("Your area is in emergency mode: a mass arrival"),
        "referrals:worklist",
    ),
    (
        "emergency.ended",
        gettext_noop("Emergency mode has ended for your area"),
        "referrals:worklist",
    ),
]


class EmergenciesConfig(AppConfig):
    name = "veza.emergencies"
    label = "emergencies"
    verbose_name = _("Emergency mode")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.emergencies.demo import demo_emergency
        from veza.referrals.notices import register_notice

        register_demo_step(58, "emergency area", demo_emergency)
        for code, subject, page in NOTICES:
            register_notice(code, subject, page)
        register_nav(
            NavItem(
                "emergencies",
                _("Emergency mode"),
                "emergencies:list",
                "organisations.manage_emergency",
                _("Switch an area into emergency mode for a mass arrival; its live counts."),
                order=75,
            )
        )
