from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """The guidance library: guides, SOPs, indicator lists and leaflets, in versions and
    languages, searchable, and published on a public page when they are meant for everyone."""

    name = "veza.knowledge"
    label = "knowledge"
    verbose_name = _("Guidance library")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.knowledge.demo import demo_library

        register_demo_step(63, "guidance library", demo_library)
        register_nav(
            NavItem(
                "knowledge",
                _("Guidance library"),
                "knowledge:list",
                "knowledge.view_document",
                _("Guides, procedures, indicator lists and leaflets, in every language."),
                order=90,
            )
        )
