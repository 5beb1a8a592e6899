from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The guidance library: guides, SOPs, indicator lists and leaflets, in versions and
    languages, searchable, and published on a public page when they are meant for everyone."""

    name = "veza.knowledge"
    label = "knowledge"
    verbose_name = _("Guidance library")
