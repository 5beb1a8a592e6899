from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterpretersConfig(AppConfig):
    name = "veza.interpreters"
    label = "interpreters"
    verbose_name = _("Interpreter pool")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.hooks import register_periodic
        from veza.core.navigation import NavItem, register_nav
        from veza.interpreters.demo import demo_interpreters
        from veza.interpreters.tasks import reminders_task

        register_demo_step(55, "interpreter pool", demo_interpreters)
        register_periodic(reminders_task, 60)  # reminders of the next day's assignments

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
                "interpreter_mine",
                _("My assignments"),
                "interpreters:mine",
                lambda user: hasattr(user, "interpreter"),
                _("Assignments to confirm, and when you are available."),
                order=42,
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
