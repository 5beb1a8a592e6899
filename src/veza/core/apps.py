from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "veza.core"
    label = "core"
    verbose_name = _("Veza core")

    def ready(self):
        from veza.core import signals  # noqa: F401  (login and logout audit)
        from veza.core.api import schema  # noqa: F401  (authentication in the OpenAPI schema)
