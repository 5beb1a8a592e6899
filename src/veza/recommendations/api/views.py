"""Sources and recommendations through the API, scoped like the pages: a caller sees and
changes the records of the participants where their role holds the permission; anything else
is "not found". The import is all-or-nothing (400 with the row-by-row report); the coverage
summary gives the same figures as the coverage page."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from veza.core.scoping import visible_or_404
from veza.recommendations.api import serializers as s
from veza.recommendations.api.base import P, Scoped, participant_or_404
from veza.recommendations.coverage import (
    answered_ids,
    chains,
    comparison,
    comparison_participants,
    overdue_measures,
)
from veza.recommendations.importer import recommendations_import
from veza.recommendations.models import (
    Recommendation,
    Source,
)
from veza.recommendations.selectors import (
    national_participants,
    participants_for,
    recommendation_filter,
    recommendations_visible,
    sources_visible,
)
from veza.recommendations.services import (
    recommendation_create,
    recommendation_link,
    recommendation_update,
    source_save,
)

__all__ = ["RecommendationViewSet", "SourceViewSet"]


class SourceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, Scoped
):
    """Published documents that carry recommendations (public, shared by every participant)."""

    serializer_class = s.SourceSerializer
    queryset = Source.objects.none()
    perms = {
        "list": "view_source",
        "retrieve": "view_source",
        "create": "add_source",
        "partial_update": "change_source",
    }

    def get_queryset(self):
        return sources_visible(self.request.user).order_by("pk")

    def create(self, request):
        data = s.SourceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        source = source_save(actor=request.user, **values)
        return Response(s.SourceSerializer(source).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SourceSerializer, responses=s.SourceSerializer)
    def partial_update(self, request, pk=None):
        source = self.get_object()
        data = s.SourceSerializer(source, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            f: getattr(source, f) for f in ("body", "title", "round_or_year", "published", "url")
        }
        values.update(data.validated_data)
        version = values.pop("version", None)
        source = source_save(actor=request.user, source=source, expected_version=version, **values)
        return Response(s.SourceSerializer(source).data)


FILTERS = [
    OpenApiParameter("participant", str, description="Participant code, e.g. RS."),
    OpenApiParameter("theme", str, enum=["prevention", "protection", "prosecution", "partnership"]),
    OpenApiParameter("topic", str, description="A topic code."),
    OpenApiParameter("source", int),
    OpenApiParameter("unanswered", bool, description="true: only those no measure answers."),
]


class RecommendationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, Scoped
):
    """Recommendations to the participants where you hold the permission."""

    serializer_class = s.RecommendationSerializer
    queryset = Recommendation.objects.none()
    perms = {
        "list": "view_recommendation",
        "retrieve": "view_recommendation",
        "coverage": "view_recommendation",
        "create": "add_recommendation",
        "partial_update": "change_recommendation",
        "links": "change_recommendation",
        "import_file": "import_recommendations",
    }

    def get_queryset(self):
        return (
            recommendations_visible(self.request.user)
            .prefetch_related("links_out", "measures")
            .order_by("pk")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "user", None) is not None and self.request.user.is_authenticated:
            context["answered"] = answered_ids(national_participants(self.request.user))
        return context

    @extend_schema(parameters=FILTERS)
    def list(self, request):
        params = request.query_params
        unanswered = params.get("unanswered", "").lower()
        queryset = recommendation_filter(
            self.get_queryset(),
            participant=params.get("participant", ""),
            theme=params.get("theme", ""),
            topic=params.get("topic", ""),
            source=params.get("source", ""),
            status={"true": "unanswered", "false": "answered"}.get(unanswered, ""),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _source(self, pk):
        return visible_or_404(sources_visible(self.request.user), pk)

    @extend_schema(
        request=s.RecommendationWriteSerializer, responses={201: s.RecommendationSerializer}
    )
    def create(self, request):
        data = s.RecommendationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        participant = participant_or_404(
            request.user, P + "add_recommendation", values.pop("participant", None)
        )
        values.pop("version", None)
        source = self._source(values.pop("source"))
        item = recommendation_create(
            actor=request.user, participant=participant, source=source, **values
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=item.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.RecommendationWriteSerializer, responses=s.RecommendationSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        data = s.RecommendationWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            f: getattr(item, f)
            for f in ("reference", "year", "text", "theme", "topics", "priority", "wording")
        }
        values.update(data.validated_data)
        values.pop("participant", None)
        version = values.pop("version", None)
        values["source"] = (
            self._source(values["source"]) if "source" in data.validated_data else item.source
        )
        item = recommendation_update(
            actor=request.user, recommendation=item, expected_version=version, **values
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=s.LinkSerializer, responses={201: s.RecommendationSerializer})
    @action(detail=True, methods=["post"])
    def links(self, request, pk=None):
        """Link this recommendation to one it repeats (or relates to), of the same participant."""
        item = self.get_object()
        data = s.LinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = visible_or_404(self.get_queryset(), data.validated_data["other"])
        recommendation_link(
            actor=request.user, recommendation=item, other=other, kind=data.validated_data["kind"]
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=item.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={
            201: s.ImportResultSerializer,
            400: OpenApiResponse(s.ImportErrorSerializer, description="Nothing was imported."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Import a CSV or XLSX file, all or nothing; a refused file answers 400 with every
        problem by row and column."""
        data = s.ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data.get("participant")
        participant = (
            participant_or_404(request.user, P + "import_recommendations", code) if code else None
        )
        upload = data.validated_data["file"]
        result = recommendations_import(
            actor=request.user, file_name=upload.name, raw=upload.read(), participant=participant
        )
        return Response(s.ImportResultSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("participant", str, description="Participant code.")],
        responses=s.CoverageSerializer,
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """Unanswered recommendations, persistent gaps, repeated recommendations, overdue
        measures and the comparison by theme (counts only for a regional role)."""
        today = timezone.localdate()
        participants = list(participants_for(request.user))
        code = request.query_params.get("participant")
        if code:
            participants = [p for p in participants if p.code == code.upper()]
        ids = [p.pk for p in participants]
        answered = answered_ids(ids)
        all_chains = chains(ids, answered=answered) if ids else []

        def chain(c):
            return {
                "participant": c.first.participant.code,
                "themes": c.themes,
                "years": c.years,
                "recommendations": [r.pk for r in c.recommendations],
                "labels": [r.label for r in c.recommendations],
            }

        latest_overdue = overdue_measures(ids, today=today) if ids else []
        compared = comparison_participants(request.user)
        body = {
            "participants": [p.code for p in participants],
            "unanswered": sorted(
                recommendations_visible(request.user)
                .filter(participant_id__in=ids)
                .exclude(pk__in=answered)
                .values_list("pk", flat=True)
            ),
            "persistent_gaps": [chain(c) for c in all_chains if c.gap],
            "repeated": [chain(c) for c in all_chains if c.repeated and not c.gap],
            "overdue_measures": [
                {
                    "id": m.pk,
                    "title": m.title,
                    "participant": m.objective.strategy.participant.code,
                    "deadline": m.deadline,
                    "status": report.status if report else "",
                }
                for m, report in latest_overdue
            ],
            "comparison": [
                {**row, "participant": row["participant"].code}
                for row in (comparison(compared, today=today) if compared else [])
            ],
        }
        return Response(s.CoverageSerializer(body).data)
