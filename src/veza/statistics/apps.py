from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "veza.statistics"
    label = "veza_statistics"
    verbose_name = _("Regional statistics")

    def ready(self):
        from veza.core import exchange
        from veza.statistics import hub, services

        exchange.register_handler("release.submit", hub.receive_release_packet)
        exchange.register_handler("release.receipt", services.receive_release_receipt)
        from veza.core.demo import register_demo_step
        from veza.core.navigation import NavItem, register_nav

        def later(name):
            """The demo steps import scipy and Polars: only when the demo runs (every `veza`
            command would pay for it otherwise)."""

            def run(**kwargs):
                from veza.statistics import demo

                return getattr(demo, name)(**kwargs)

            return run

        register_demo_step(60, "regional releases", later("demo_releases"))
        register_demo_step(61, "UNODC GLOTIP series", later("demo_glotip"))
        register_demo_step(62, "migration dataflows", later("demo_dataflows"))

        register_nav(
            NavItem(
                "trends",
                _("Regional trends"),
                "statistics:trends",
                "veza_statistics.view_observation",
                _("Aggregate, protected figures of the region beside the UNODC Global Report."),
                order=60,
            )
        )
        register_nav(
            NavItem(
                "releases",
                _("National releases"),
                "statistics:releases",
                "veza_statistics.approve_release",
                _("Build, review and approve the protected statistics sent to the regional hub."),
                order=61,
            )
        )
        register_nav(
            NavItem(
                "dataflows",
                _("Dataflows"),
                "statistics:dataflows",
                "veza_statistics.view_dataflow",
                _("Aggregate migration data of the region, dataflow by dataflow."),
                order=62,
            )
        )
        register_nav(
            NavItem(
                "received",
                _("Releases received"),
                "statistics:received",
                "veza_statistics.receive_release",
                _("Receive the signed releases of participants' own instances."),
                order=63,
            )
        )
