from django.contrib.admin.apps import AdminConfig


class VezaAdminConfig(AdminConfig):
    """Django's administration, served by Veza's own site (role and second factor required)."""

    default_site = "veza.core.admin_site.VezaAdminSite"
