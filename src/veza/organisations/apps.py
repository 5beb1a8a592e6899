from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "veza.organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.organisations.demo import demo_load
        from veza.organisations.services import content_sync_after_migrate

        register_demo_step(10, "organisations and accounts", demo_load)
        from veza.core.scale import register_scale_step
        from veza.organisations.scale import scale_staff

        register_scale_step(10, "staff", prepare=scale_staff)
        post_migrate.connect(content_sync_after_migrate, dispatch_uid="veza-organisations-sync")
        for item in (
            NavItem("home", _("Home"), "organisations:home", None, order=0),
            NavItem(
                "organisations",
                _("Organisations"),
                "organisations:organisation-list",
                "organisations.view_organisation",
                _("The directory of organisations that take part in the referral mechanism."),
                order=80,
            ),
            NavItem(
                "account",
                _("Your account"),
                "organisations:account",
                None,
                _("Your roles, your language and how you log in."),
                order=90,
            ),
            NavItem(
                "api",
                _("API"),
                "api:docs",
                None,
                _("The documented programming interface, for integrations."),
                order=95,
            ),
            NavItem(
                "translations",
                _("Translations"),
                "core:translations",
                "core.access_admin",
                _("How complete each language of Veza is, and how to improve it."),
                order=98,
            ),
            NavItem(
                "admin",
                _("Administration"),
                "admin:index",
                "core.access_admin",
                _("Participants, organisations, accounts, memberships and roles."),
                order=99,
            ),
        ):
            register_nav(item)
