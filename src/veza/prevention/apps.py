from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventionConfig(AppConfig):
    """For the public, without an account: the self-check for people weighing a job offer or a
    journey. Nothing about the person is kept; only counts of use, protected like releases."""

    name = "veza.prevention"
    label = "prevention"
    verbose_name = _("Prevention for people at risk")
