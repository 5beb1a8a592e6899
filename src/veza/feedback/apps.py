from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Survivor voice: an anonymous, optional feedback form a service offers after assistance,
    read only as counts per service type and participant, protected like releases."""

    name = "veza.feedback"
    label = "feedback"
    verbose_name = _("Survivor feedback")
