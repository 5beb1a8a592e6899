"""Strategies, measures and progress reports through the API, scoped like the pages; the draft
plan downloads as DOCX or PDF."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.recommendations.api import serializers as s
from veza.recommendations.api.base import P, Scoped, participant_or_404
from veza.recommendations.coverage import latest_reports, overdue_measures
from veza.recommendations.models import Measure, Objective, ProgressReport, Strategy
from veza.recommendations.selectors import (
    measures_visible,
    national_participants,
    recommendations_visible,
    reports_visible,
    strategies_visible,
)
from veza.recommendations.services import (
    MEASURE_FIELDS,
    measure_save,
    objective_save,
    progress_report_add,
    strategy_save,
)

__all__ = ["MeasureViewSet", "ProgressReportViewSet", "StrategyViewSet"]


class StrategyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, Scoped
):
    """Strategies and action plans with their objectives."""

    serializer_class = s.StrategySerializer
    queryset = Strategy.objects.none()
    perms = {
        "list": "view_strategy",
        "retrieve": "view_strategy",
        "draft": "view_strategy",
        "create": "add_strategy",
        "partial_update": "change_strategy",
        "objectives": "add_objective",
    }

    def get_queryset(self):
        return strategies_visible(self.request.user).prefetch_related("objectives").order_by("pk")

    @extend_schema(request=s.StrategyWriteSerializer, responses={201: s.StrategySerializer})
    def create(self, request):
        data = s.StrategyWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        participant = participant_or_404(
            request.user, P + "add_strategy", values.pop("participant", None)
        )
        strategy = strategy_save(actor=request.user, participant=participant, **values)
        return Response(s.StrategySerializer(strategy).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.StrategyWriteSerializer, responses=s.StrategySerializer)
    def partial_update(self, request, pk=None):
        strategy = self.get_object()
        data = s.StrategyWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            f: getattr(strategy, f) for f in ("title", "period_start", "period_end", "context")
        }
        values.update(data.validated_data)
        values.pop("participant", None)
        version = values.pop("version", None)
        strategy = strategy_save(
            actor=request.user,
            participant=strategy.participant,
            strategy=strategy,
            expected_version=version,
            **values,
        )
        return Response(s.StrategySerializer(strategy).data)

    @extend_schema(request=s.ObjectiveSerializer, responses={201: s.ObjectiveSerializer})
    @action(detail=True, methods=["post"])
    def objectives(self, request, pk=None):
        strategy = self.get_object()
        data = s.ObjectiveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objective = objective_save(actor=request.user, strategy=strategy, **data.validated_data)
        return Response(s.ObjectiveSerializer(objective).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=["docx", "pdf"], default="pdf")],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ): OpenApiTypes.BINARY,
        },
    )
    @action(detail=True, methods=["get"])
    def draft(self, request, pk=None):
        """The draft action plan as DOCX or PDF (audited as an export)."""
        from veza.recommendations.views.plans import plan_download

        return plan_download(
            request.user, self.get_object(), request.query_params.get("kind", "pdf")
        )


class MeasureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, Scoped
):
    """Measures of the action plans, with the recommendations each answers."""

    serializer_class = s.MeasureSerializer
    queryset = Measure.objects.none()
    perms = {
        "list": "view_measure",
        "retrieve": "view_measure",
        "create": "add_measure",
        "partial_update": "change_measure",
    }

    def get_queryset(self):
        queryset = measures_visible(self.request.user).prefetch_related("recommendations")
        strategy = self.request.query_params.get("strategy", "")
        if strategy.isdigit():
            queryset = queryset.filter(objective__strategy_id=int(strategy))
        return queryset.order_by("pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            ids = national_participants(user, P + "view_measure")
            measures = list(measures_visible(user).values_list("pk", flat=True))
            context["latest"] = latest_reports(measures)
            context["overdue"] = {
                m.pk for m, _r in overdue_measures(ids, today=timezone.localdate())
            }
        return context

    @extend_schema(parameters=[OpenApiParameter("strategy", int)])
    def list(self, request):
        return super().list(request)

    def _objective(self, pk):
        return visible_or_404(
            Objective.objects.filter(
                strategy__in=strategies_visible(self.request.user)
            ).select_related("strategy"),
            pk,
        )

    def _recommendations(self, ids, objective):
        if ids is None:
            return None
        found = list(
            recommendations_visible(self.request.user).filter(
                pk__in=ids, participant_id=objective.strategy.participant_id
            )
        )
        if len(found) != len(set(ids)):
            raise NotFoundError()
        return found

    @extend_schema(request=s.MeasureWriteSerializer, responses={201: s.MeasureSerializer})
    def create(self, request):
        data = s.MeasureWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        objective = self._objective(values.pop("objective"))
        recommendations = self._recommendations(values.pop("recommendations", None), objective)
        measure = measure_save(
            actor=request.user, objective=objective, recommendations=recommendations, **values
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=measure.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=s.MeasureWriteSerializer, responses=s.MeasureSerializer)
    def partial_update(self, request, pk=None):
        measure = self.get_object()
        data = s.MeasureWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {f: getattr(measure, f) for f in MEASURE_FIELDS}
        values.update(data.validated_data)
        version = values.pop("version", None)
        objective = (
            self._objective(values.pop("objective")) if "objective" in values else measure.objective
        )
        recommendations = self._recommendations(values.pop("recommendations", None), objective)
        measure = measure_save(
            actor=request.user,
            objective=objective,
            measure=measure,
            expected_version=version,
            recommendations=recommendations,
            **values,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=measure.pk)).data)


class ProgressReportViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, Scoped):
    """Progress reports: a new report for a measure; the history of reports (never changed)."""

    serializer_class = s.ProgressReportSerializer
    queryset = ProgressReport.objects.none()
    perms = {"list": "view_progressreport", "create": "add_progressreport"}

    def get_queryset(self):
        queryset = reports_visible(self.request.user)
        measure = self.request.query_params.get("measure", "")
        if measure.isdigit():
            queryset = queryset.filter(measure_id=int(measure))
        return queryset.order_by("-period_end", "-created_at", "-pk")

    @extend_schema(parameters=[OpenApiParameter("measure", int)])
    def list(self, request):
        return super().list(request)

    def create(self, request):
        data = s.ProgressReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        measure = visible_or_404(measures_visible(request.user), values.pop("measure").pk)
        report = progress_report_add(actor=request.user, measure=measure, **values)
        return Response(s.ProgressReportSerializer(report).data, status=status.HTTP_201_CREATED)
