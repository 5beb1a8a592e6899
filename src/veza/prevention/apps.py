from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["PreventionConfig"]


class PreventionConfig(AppConfig):
    """For the public, without an account: the self-check for people weighing a job offer or a
    journey. Nothing about the person is kept; only counts of use, protected like releases."""

    name = "veza.prevention"
    label = "prevention"
    verbose_name = _("Prevention for people at risk")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.prevention import checks  # noqa: F401 (registers the content check)
        from veza.prevention.demo import demo_selfcheck_uses

        register_demo_step(64, "self-check use counts", demo_selfcheck_uses)
        register_nav(
            NavItem(
                "prevention-uses",
                _("Self-check use"),
                "prevention:uses",
                "prevention.view_selfcheckuse",
                _("How often the public self-check was completed, per language and participant."),
                order=92,
            )
        )
