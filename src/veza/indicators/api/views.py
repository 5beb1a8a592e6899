"""Read-only API for screening content: indicator sets and questionnaires, with versions."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from veza.core.api.permissions import perm_required
from veza.core.scoping import access_by_id
from veza.indicators.models import IndicatorSet, Questionnaire

__all__ = ["IndicatorSetViewSet", "QuestionnaireViewSet"]


class IndicatorSetSerializer(serializers.ModelSerializer):
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorSet
        fields = [
            "id",
            "code",
            "version",
            "title",
            "kind",
            "status",
            "provenance",
            "age_groups",
            "exploitation",
            "builtin",
            "published_at",
            "checksum",
            "indicators",
        ]

    def get_indicators(self, item) -> list[dict]:
        return [
            {
                "id": i.id,
                "dimension": i.dimension,
                "strength": i.strength,
                "text": i.text,
                "provenance": i.provenance,
                "equivalent": list(i.equivalent),
            }
            for i in item.parsed.indicators
        ]


class QuestionnaireSerializer(serializers.ModelSerializer):
    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "code",
            "version",
            "title",
            "sector",
            "mode",
            "status",
            "checksum",
            "content",
        ]


class IndicatorSetViewSet(viewsets.ReadOnlyModelViewSet):
    """Every stored version of every indicator set (reference material, no personal data)."""

    serializer_class = IndicatorSetSerializer
    permission_classes = [perm_required("indicators.view_indicatorset")]
    queryset = IndicatorSet.objects.none()

    def get_queryset(self):
        return IndicatorSet.objects.visible_to(self.request.user).order_by("code", "-version")

    def get_object(self):
        return access_by_id(
            IndicatorSet, self.request.user, self.kwargs["pk"], perm="indicators.view_indicatorset"
        )


@extend_schema(description="Questionnaires with their full content (sections, questions, options).")
class QuestionnaireViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QuestionnaireSerializer
    permission_classes = [perm_required("indicators.view_questionnaire")]
    queryset = Questionnaire.objects.none()

    def get_queryset(self):
        return Questionnaire.objects.visible_to(self.request.user).order_by("code", "-version")

    def get_object(self):
        return access_by_id(
            Questionnaire,
            self.request.user,
            self.kwargs["pk"],
            perm="indicators.view_questionnaire",
        )
