"""The service directory and referral transitions through the API, scoped like the pages."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from veza.cases.emergency import refuse_under_emergency
from veza.cases.selectors import case_get_visible
from veza.core.api.auditing import AuditedReadsMixin
from veza.core.api.permissions import perm_required
from veza.core.errors import NotFoundError
from veza.core.scoping import visible_or_404
from veza.referrals.choices import ServiceType, TargetGroup, Urgency
from veza.referrals.models import Referral, Service
from veza.referrals.selectors import directory_search, referral_get_visible
from veza.referrals.services import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_shared_data,
    referral_start,
    referral_withdraw,
)

__all__ = ["ReferralViewSet", "ServiceViewSet"]


class ServiceSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "service_type",
            "description",
            "target_groups",
            "languages",
            "area",
            "opening_hours",
            "emergency",
            "capacity_total",
            "capacity_free",
            "capacity_updated_at",
            "is_active",
            "version",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("service_type", str, enum=ServiceType.values),
            OpenApiParameter("target_group", str, enum=TargetGroup.values),
            OpenApiParameter("language", str),
            OpenApiParameter("free_places", bool),
            OpenApiParameter("emergency", bool),
        ]
    )
)
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The service directory of your participant(s)."""

    serializer_class = ServiceSerializer
    permission_classes = [perm_required("referrals.view_service")]
    queryset = Service.objects.none()

    def get_queryset(self):
        p = self.request.query_params
        return directory_search(
            user=self.request.user,
            service_type=p.get("service_type") or None,
            target_group=p.get("target_group") or None,
            language=(p.get("language") or "")[:40] or None,
            free_places=p.get("free_places") in ("1", "true", "on"),
            emergency=p.get("emergency") in ("1", "true", "on"),
        )

    def get_object(self):
        return visible_or_404(Service.objects.visible_to(self.request.user), self.kwargs["pk"])


class ReferralSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.code", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "from_organisation",
            "to_organisation",
            "service",
            "reason",
            "urgency",
            "shared_fields",
            "status",
            "decline_reason",
            "version",
            "created_at",
            "responded_at",
            "closed_at",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    service = serializers.IntegerField()
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    shared_fields = serializers.ListField(child=serializers.CharField(), required=False)
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)


class DeclineSerializer(VersionSerializer):
    reason = serializers.CharField()


class ReferralViewSet(
    AuditedReadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Referrals from and to your organisation(s); transitions are POSTs on each referral."""

    audit_prefix = "referral"

    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()

    def get_permissions(self):
        needed = {
            "create": "referrals.add_referral",
            "withdraw": "referrals.add_referral",
            "accept": "referrals.respond_referral",
            "decline": "referrals.respond_referral",
            "start": "referrals.respond_referral",
            "complete": "referrals.respond_referral",
        }.get(self.action, "referrals.view_referral")
        return [perm_required(needed)()]

    def get_queryset(self):
        return (
            Referral.objects.visible_to(self.request.user)
            .select_related("case")
            .order_by("-created_at")
        )

    def get_object(self):
        return referral_get_visible(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        case = case_get_visible(user=request.user, pk=values.pop("case"))
        refuse_under_emergency(case)
        service = Service.objects.visible_to(request.user).filter(pk=values.pop("service")).first()
        if service is None:
            raise NotFoundError()
        referral = referral_send(actor=request.user, case=case, service=service, **values)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def shared(self, request, pk=None):
        """What the receiving organisation may see about the person, while the referral is live."""
        return Response(referral_shared_data(actor=request.user, referral=self.get_object()))

    def _step(self, request, service, serializer=VersionSerializer, **extra):
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        referral = service(
            actor=request.user,
            referral=self.get_object(),
            expected_version=values.pop("version", None),
            **values,
            **extra,
        )
        return Response(ReferralSerializer(referral).data)

    @extend_schema(request=VersionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._step(request, referral_accept)

    @extend_schema(request=DeclineSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step(request, referral_decline, DeclineSerializer)

    @extend_schema(request=VersionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(request, referral_start)

    @extend_schema(request=VersionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(request, referral_complete)

    @extend_schema(request=VersionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(request, referral_withdraw)
