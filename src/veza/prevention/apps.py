from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventionConfig(AppConfig):
    """For the public, without an account: the self-check for people weighing a job offer or a
    journey, and survivors' anonymous feedback on the help they received. Nothing about the
    person is kept; only counts, protected like releases."""

    name = "veza.prevention"
    label = "prevention"
    verbose_name = _("Prevention and survivor voice")
