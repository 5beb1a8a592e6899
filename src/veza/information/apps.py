from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: Who shows the sheets: anyone who meets people (screens, manages cases or refers).
MEETS_PEOPLE = ("screening.view_screening", "cases.view_case", "referrals.view_referral")


def meets_people(user) -> bool:
    return any(user.has_perm(perm) for perm in MEETS_PEOPLE)


class InformationConfig(AppConfig):
    name = "veza.information"
    label = "information"
    verbose_name = _("Information for victims")

    def ready(self):
        from veza.core.navigation import NavItem, register_nav

        register_nav(
            NavItem(
                "information",
                _("Information for victims"),
                "information:index",
                meets_people,
                _("Rights, next steps, confidentiality and help, in the person's own language."),
                order=30,
            )
        )
