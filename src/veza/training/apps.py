from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

__all__ = ["TrainingConfig"]


class TrainingConfig(AppConfig):
    """Training events and courses, attendance, and practice cases screened with the real
    questionnaires, scored and certified, never mixed with real screenings."""

    name = "veza.training"
    label = "training"
    verbose_name = _("Training and practice")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.training.demo import demo_training

        # After every other step: accounts, organisations and content exist by then.
        register_demo_step(65, "training and practice", demo_training)
        register_nav(
            NavItem(
                "training",
                _("Training"),
                "training:mine",
                "training.practise",
                _("Practise screening with written cases, your scores and certificates."),
                order=80,
            )
        )
        register_nav(
            NavItem(
                "training_courses",
                _("Training courses"),
                "training:courses",
                "training.view_course",
                _("Courses and events, who attended, and where nobody is trained yet."),
                order=81,
            )
        )
