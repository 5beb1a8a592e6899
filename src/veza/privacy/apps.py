from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "veza.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from veza.core.navigation import NavItem, register_nav

        register_nav(
            NavItem(
                "subject_access",
                _("Subject access"),
                "privacy:subject_access",
                "privacy.subject_access",
                _("Export everything Veza holds about the person of a case."),
                order=90,
            )
        )
