"""Veza's URL map: pages at the root, the API under /api/v1/, administration under /admin/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from veza.cases.api.views import CaseViewSet, ConsentViewSet
from veza.core.api.permissions import HasAnyRole
from veza.indicators.api.views import IndicatorSetViewSet, QuestionnaireViewSet
from veza.interpreters.api.views import (
    AvailabilityViewSet,
    BookingViewSet,
    InterpreterRequestViewSet,
    InterpreterViewSet,
)
from veza.organisations.api.views import CurrentUserView, OrganisationViewSet, ParticipantViewSet
from veza.recommendations.api.plans import MeasureViewSet, ProgressReportViewSet, StrategyViewSet
from veza.recommendations.api.views import RecommendationViewSet, SourceViewSet
from veza.referrals.api.views import ReferralViewSet, ServiceViewSet
from veza.screening.api.views import ScreeningViewSet

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# The API speaks JSON only: no `.json` suffix routes, which actions would have to accept too.
router.include_format_suffixes = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("participants", ParticipantViewSet, basename="participant")
router.register("indicator-sets", IndicatorSetViewSet, basename="indicator-set")
router.register("questionnaires", QuestionnaireViewSet, basename="questionnaire")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register("cases", CaseViewSet, basename="case")
router.register("consents", ConsentViewSet, basename="consent")
router.register("services", ServiceViewSet, basename="service")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("interpreters", InterpreterViewSet, basename="interpreter")
router.register("interpreter-requests", InterpreterRequestViewSet, basename="interpreter-request")
router.register("interpreter-bookings", BookingViewSet, basename="interpreter-booking")
router.register(
    "interpreter-availability", AvailabilityViewSet, basename="interpreter-availability"
)
router.register("recommendation-sources", SourceViewSet, basename="recommendation-source")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("strategies", StrategyViewSet, basename="strategy")
router.register("measures", MeasureViewSet, basename="measure")
router.register("progress-reports", ProgressReportViewSet, basename="progress-report")

api_v1 = [
    path("users/me/", CurrentUserView.as_view(), name="user-me"),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[HasAnyRole]),
        name="schema",
    ),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[HasAnyRole]),
        name="docs",
    ),
    *router.urls,
]

urlpatterns = [
    path("", include("veza.core.urls")),
    path("", include("veza.organisations.urls")),
    path("", include("veza.information.urls")),
    path("", include("veza.indicators.urls")),
    path("", include("veza.screening.urls")),
    path("", include("veza.cases.urls")),
    path("", include("veza.referrals.urls")),
    path("", include("veza.statistics.urls")),
    path("", include("veza.federation.urls")),
    path("", include("veza.interpreters.urls")),
    path("", include("veza.recommendations.urls")),
    path("", include("veza.fieldforms.urls")),
    path("", include("veza.emergencies.urls")),
    path("", include("veza.knowledge.urls")),
    path("", include("veza.prevention.urls")),
    path("", include("veza.feedback.urls")),
    path("", include("veza.training.urls")),
    path("", include("veza.privacy.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("admin/", admin.site.urls),
]

handler400 = "veza.core.views.error_400"
handler403 = "veza.core.views.error_403"
handler404 = "veza.core.views.error_404"
handler500 = "veza.core.views.error_500"
