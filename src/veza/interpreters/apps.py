from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

#: The pool's notices: the interpreter's go to their own page, the requester's to the requests,
#: the coordinator's to the pool.
NOTICES = [
    (
        "interpreter.proposed",
        gettext_noop("You are asked to interpret: confirm or decline"),
        "interpreters:mine",
    ),
    (
        "interpreter.reminder",
        gettext_noop("An interpreting assignment starts within a day"),
        "interpreters:mine",
    ),
    (
        "interpreter.cancelled",
        gettext_noop("An interpreting assignment was cancelled"),
        "interpreters:mine",
    ),
    (
        "interpreter.confirmed",
        gettext_noop("An interpreter confirmed your request"),
        "interpreters:requests",
    ),
    (
        "interpreter.declined",
        gettext_noop("An interpreter declined: choose another"),
        "interpreters:requests",
    ),
    (
        "interpreter.cancelled_for_you",
        gettext_noop("A booked interpreter is no longer coming"),
        "interpreters:requests",
    ),
    (
        "interpreter.request_reminder",
        gettext_noop("Your interpreter is booked for within a day"),
        "interpreters:requests",
    ),
    (
        "interpreter.concern",
        gettext_noop("An assignment raised a concern: see the pool"),
        "interpreters:pool",
    ),
]


class InterpretersConfig(AppConfig):
    name = "veza.interpreters"
    label = "interpreters"
    verbose_name = _("Interpreter pool")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.hooks import register_periodic
        from veza.core.navigation import NavItem, register_nav
        from veza.core.scale import register_scale_step
        from veza.interpreters.demo import demo_interpreters
        from veza.interpreters.scale import scale_interpreter_requests
        from veza.interpreters.scale_pool import scale_interpreter_pool
        from veza.interpreters.tasks import reminders_task
        from veza.referrals.notices import register_notice

        register_demo_step(55, "interpreter pool", demo_interpreters)
        register_scale_step(
            50, "interpreters", prepare=scale_interpreter_pool, batch=scale_interpreter_requests
        )
        register_periodic(reminders_task, 60)  # reminders of the next day's assignments
        for code, subject, page in NOTICES:
            register_notice(code, subject, page)

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
