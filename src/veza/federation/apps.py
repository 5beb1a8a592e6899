from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "veza.federation"
    label = "federation"
    verbose_name = _("Federation")

    def ready(self):
        from veza.core.navigation import NavItem, register_nav
        from veza.federation import services  # noqa: F401 - registers the packet sender

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
