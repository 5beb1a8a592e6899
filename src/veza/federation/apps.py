from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "veza.federation"
    label = "federation"
    verbose_name = _("Federation")

    def ready(self):
        from veza.core.hooks import register_action, register_panels, register_periodic
        from veza.core.navigation import NavItem, register_nav
        from veza.federation import services  # noqa: F401 - registers the packet sender
        from veza.federation.referral_views import case_actions, case_panels
        from veza.federation.tasks import directory_task, outbox_task

        register_periodic(outbox_task, 60)  # retries of the outbox, every minute
        register_periodic(directory_task, 24 * 60)  # the service directory, every day
        register_action("case.detail", case_actions)
        register_panels("case.panels", case_panels)
        register_nav(
            NavItem(
                "cross_border",
                _("Between participants"),
                "federation:referrals",
                "federation.view_crossborderreferral",
                _("Referrals to and from the other participants' services."),
                order=35,
            )
        )
        register_nav(
            NavItem(
                "federation",
                _("Federation"),
                "federation:peers",
                "federation.manage_peers",
                _("This instance's identity, the instances it trusts, the packets exchanged."),
                order=80,
            )
        )
