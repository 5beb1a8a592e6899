from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterpretersConfig(AppConfig):
    name = "veza.interpreters"
    label = "interpreters"
    verbose_name = _("Interpreter pool")

    def ready(self):
        from veza.core.navigation import NavItem, register_nav

        register_nav(
            NavItem(
                "interpreters",
                _("Interpreters"),
                "interpreters:requests",
                "interpreters.view_interpreterrequest",
                _("Ask the joint pool for an interpreter; see your requests and bookings."),
                order=40,
            )
        )
        register_nav(
            NavItem(
                "interpreter_pool",
                _("Interpreter pool"),
                "interpreters:pool",
                "interpreters.coordinate_pool",
                _("The pool's interpreters and how the pool is used."),
                order=41,
            )
        )
