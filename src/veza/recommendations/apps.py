from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "veza.recommendations"
    label = "recommendations"
    verbose_name = _("Recommendations and action plans")

    def ready(self):
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav
        from veza.recommendations.demo import demo_recommendations
        from veza.recommendations.selectors import has_national_scope

        # After the interpreter pool (55): accounts and participants exist by then.
        register_demo_step(60, "recommendations and action plans", demo_recommendations)
        register_nav(
            NavItem(
                "recommendations",
                _("Recommendations"),
                "recommendations:list",
                has_national_scope,
                _("Recommendations of GRETA, the US TIP report and others, and what answers them."),
                order=50,
            )
        )
        register_nav(
            NavItem(
                "action_plans",
                _("Action plans"),
                "recommendations:plans",
                lambda user: has_national_scope(user, "recommendations.view_strategy"),
                _("Strategies and action plans: objectives, measures, progress, draft plans."),
                order=51,
            )
        )
        register_nav(
            NavItem(
                "coverage",
                _("Coverage"),
                "recommendations:coverage",
                "recommendations.view_recommendation",
                _("Unanswered and repeated recommendations, overdue measures, comparison."),
                order=52,
            )
        )
