"""Screenings through the API: create, answer, complete, list and read — scoped like the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from veza.core.api.auditing import AuditedReadsMixin
from veza.core.api.permissions import perm_required
from veza.core.errors import NotFoundError, PermissionDeniedError
from veza.organisations.models import Organisation
from veza.organisations.scope import user_scope
from veza.screening.choices import Origin
from veza.screening.models import Screening
from veza.screening.selectors import screening_get_visible, screening_list_visible
from veza.screening.services import screening_complete, screening_save, screening_start

__all__ = ["ScreeningViewSet"]


class ScreeningSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    questionnaire = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    sets = serializers.SerializerMethodField()

    class Meta:
        model = Screening
        fields = [
            "id",
            "reference",
            "person_ref",
            "organisation",
            "mode",
            "sector",
            "questionnaire",
            "status",
            "version",
            "answers",
            "age",
            "age_group",
            "exploitation",
            "urgent",
            "present",
            "outcome",
            "action",
            "quick_action",
            "result",
            "rule",
            "sets",
            "origin",
            "follow_up_of",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_questionnaire(self, obj) -> dict:
        return {"code": obj.questionnaire.code, "version": obj.questionnaire.version}

    def get_rule(self, obj) -> dict | None:
        return {"code": obj.rule.code, "version": obj.rule.version} if obj.rule_id else None

    def get_sets(self, obj) -> list[dict]:
        return [{"code": s.code, "version": s.version} for s in obj.sets.all()]


class ScreeningCreateSerializer(serializers.Serializer):
    questionnaire = serializers.CharField(max_length=80, help_text="e.g. health, police, quick")
    organisation = serializers.IntegerField(
        required=False, help_text="Needed only when you screen for several organisations."
    )
    person_ref = serializers.CharField(max_length=40, required=False, allow_blank=True)
    answers = serializers.DictField(required=False)


class ScreeningAnswerSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text="Question id → answer; null clears an answer.")
    version = serializers.IntegerField(help_text="The version you read; 409 if it changed.")


class ScreeningCompleteSerializer(serializers.Serializer):
    version = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["draft", "completed"]),
            OpenApiParameter("outcome", str),
        ]
    )
)
class ScreeningViewSet(
    AuditedReadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Screenings of your organisation(s). PATCH answers; `complete` computes the outcome."""

    audit_prefix = "screening"

    serializer_class = ScreeningSerializer
    queryset = Screening.objects.none()

    def get_permissions(self):
        needed = {
            "create": "screening.add_screening",
            "partial_update": "screening.change_screening",
            "complete": "screening.change_screening",
        }.get(self.action, "screening.view_screening")
        return [perm_required(needed)()]

    def get_queryset(self):
        params = self.request.query_params
        return (
            screening_list_visible(
                user=self.request.user,
                status=params.get("status") or None,
                outcome=params.get("outcome") or None,
            )
            .prefetch_related("sets")
            .select_related("rule")
        )

    def get_object(self):
        return screening_get_visible(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=ScreeningCreateSerializer, responses={201: ScreeningSerializer})
    def create(self, request):
        data = ScreeningCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orgs = user_scope(request.user).organisations_with("screening.add_screening")
        wanted = data.validated_data.get("organisation")
        if wanted is None:
            if len(orgs) != 1:
                raise serializers.ValidationError(
                    {"organisation": ["Say for which organisation you screen."]}
                )
            wanted = next(iter(orgs))
        if wanted not in orgs:
            raise NotFoundError()
        screening = screening_start(
            actor=request.user,
            organisation=Organisation.objects.get(pk=wanted),
            questionnaire_code=data.validated_data["questionnaire"],
            person_ref=data.validated_data.get("person_ref", ""),
            origin=Origin.API,
        )
        answers = data.validated_data.get("answers")
        if answers:
            screening = screening_save(
                actor=request.user,
                screening=screening,
                answers=answers,
                expected_version=screening.version,
            )
        return Response(ScreeningSerializer(screening).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScreeningAnswerSerializer, responses=ScreeningSerializer)
    def partial_update(self, request, pk=None):
        screening = self.get_object()
        data = ScreeningAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        screening = screening_save(
            actor=request.user,
            screening=screening,
            answers=data.validated_data["answers"],
            expected_version=data.validated_data["version"],
        )
        return Response(ScreeningSerializer(screening).data)

    @extend_schema(request=ScreeningCompleteSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        screening = self.get_object()
        if not request.user.has_perm("screening.change_screening", screening.organisation):
            raise PermissionDeniedError()
        data = ScreeningCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        screening = screening_complete(
            actor=request.user, screening=screening, expected_version=data.validated_data["version"]
        )
        return Response(ScreeningSerializer(screening).data)
