from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Survivor voice: an anonymous, optional feedback form a service offers after assistance,
    read only as counts per service type and participant, protected like releases."""

    name = "veza.feedback"
    label = "feedback"
    verbose_name = _("Survivor feedback")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.feedback.demo import demo_feedback
        from veza.feedback.models import OFFER, VIEW

        register_demo_step(66, "survivor feedback", demo_feedback)
        register_nav(
            NavItem(
                "feedback-offer",
                _("Feedback form"),
                "feedback:offer",
                OFFER,
                _("Offer the anonymous feedback form after assistance: a link and a card."),
                order=86,
            )
        )
        register_nav(
            NavItem(
                "feedback-summary",
                _("Survivor feedback"),
                "feedback:summary",
                VIEW,
                _("Answers to the feedback form after assistance, small counts protected."),
                order=87,
            )
        )
