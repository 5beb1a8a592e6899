"""Cases through the API, scoped like the pages. Identity is a separate, audited endpoint."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from veza.cases.choices import ConsentGiver, ConsentPurpose, TraffickingStatus
from veza.cases.emergency import refuse_under_emergency
from veza.cases.models import Case, Consent
from veza.cases.selectors import case_get_visible, case_list_visible
from veza.cases.services import (
    IDENTITY_FIELDS,
    case_open,
    case_update,
    consent_record,
    consent_withdraw,
    decision_record,
    identity_read,
    identity_write,
)
from veza.core.api.auditing import AuditedReadsMixin
from veza.core.api.permissions import perm_required
from veza.core.errors import NotFoundError, PermissionDeniedError
from veza.core.scoping import visible_or_404
from veza.organisations.models import Organisation
from veza.organisations.scope import user_scope
from veza.screening.selectors import screening_get_visible

__all__ = ["CaseViewSet", "ConsentViewSet"]


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = [
            "id",
            "purpose",
            "recipient",
            "information_version",
            "given_by",
            "child_views",
            "recorded_at",
            "withdrawn_at",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    screenings = serializers.SlugRelatedField(slug_field="reference", many=True, read_only=True)
    decisions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "code",
            "organisation",
            "case_status",
            "trafficking_status",
            "sex",
            "age",
            "is_child",
            "citizenship",
            "exploitation_country",
            "exploitation",
            "control_methods",
            "screenings",
            "decisions",
            "reflection_started_at",
            "version",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_decisions(self, case) -> list[dict]:
        return [
            {"status": d.status, "organisation": d.organisation_id, "decided_on": d.decided_on}
            for d in case.decisions.all()
        ]


class FactsSerializer(serializers.Serializer):
    sex = serializers.CharField(required=False)
    age = serializers.IntegerField(required=False, allow_null=True)
    is_child = serializers.BooleanField(required=False)
    citizenship = serializers.CharField(required=False, allow_blank=True, max_length=2)
    exploitation_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    exploitation = serializers.ListField(child=serializers.CharField(), required=False)
    control_methods = serializers.ListField(child=serializers.CharField(), required=False)


class CaseCreateSerializer(FactsSerializer):
    screening = serializers.IntegerField(required=False)
    organisation = serializers.IntegerField(required=False)


class CaseUpdateSerializer(FactsSerializer):
    version = serializers.IntegerField()


class IdentitySerializer(serializers.Serializer):
    given_names = serializers.CharField(required=False, allow_blank=True)
    family_name = serializers.CharField(required=False, allow_blank=True)
    other_names = serializers.CharField(required=False, allow_blank=True)
    date_of_birth = serializers.CharField(required=False, allow_blank=True)
    place_of_birth = serializers.CharField(required=False, allow_blank=True)
    documents = serializers.ListField(child=serializers.CharField(), required=False)
    contacts = serializers.ListField(child=serializers.CharField(), required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)


_IDENTITY_LISTS = ("documents", "contacts", "languages")


class ConsentCreateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    recipient = serializers.IntegerField(required=False, allow_null=True)
    information_version = serializers.CharField(max_length=40)
    given_by = serializers.ChoiceField(choices=ConsentGiver.choices, default=ConsentGiver.PERSON)
    child_views = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TraffickingStatus.choices)
    decided_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class CaseViewSet(
    AuditedReadsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases of your organisation(s) (all of the participant for national coordinators)."""

    audit_prefix = "case"

    serializer_class = CaseSerializer
    queryset = Case.objects.none()

    def get_permissions(self):
        needed = {
            "create": "cases.add_case",
            "partial_update": "cases.change_case",
            "identity": "cases.view_identity",
            "consents": "cases.view_case",
            "decision": "cases.record_decision",
        }.get(self.action, "cases.view_case")
        return [perm_required(needed)()]

    def get_queryset(self):
        return case_list_visible(
            user=self.request.user, status=self.request.query_params.get("status") or None
        ).prefetch_related("screenings", "decisions")

    def get_object(self):
        return case_get_visible(user=self.request.user, pk=self.kwargs["pk"])

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request):
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        facts = dict(data.validated_data)
        screening_id = facts.pop("screening", None)
        orgs = user_scope(request.user).organisations_with("cases.add_case")
        screening = None
        if screening_id is not None:
            screening = screening_get_visible(user=request.user, pk=screening_id)
            organisation_id = screening.organisation_id
        else:
            organisation_id = facts.pop("organisation", None) or (
                next(iter(orgs)) if len(orgs) == 1 else None
            )
        facts.pop("organisation", None)
        if organisation_id not in orgs:
            raise NotFoundError()
        case = case_open(
            actor=request.user,
            organisation=Organisation.objects.get(pk=organisation_id),
            screening=screening,
            **facts,
        )
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request, pk=None):
        case = self.get_object()
        refuse_under_emergency(case)
        data = CaseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        facts = dict(data.validated_data)
        version = facts.pop("version")
        case = case_update(actor=request.user, case=case, expected_version=version, **facts)
        return Response(CaseSerializer(case).data)

    @extend_schema(methods=["GET"], responses=IdentitySerializer)
    @extend_schema(methods=["PATCH"], request=IdentitySerializer, responses=IdentitySerializer)
    @action(detail=True, methods=["get", "patch"])
    def identity(self, request, pk=None):
        """Who the person is. Only with the identity permission in the owning organisation;
        every read is audited."""
        case = self.get_object()
        if request.method == "PATCH":
            refuse_under_emergency(case)
            data = IdentitySerializer(data=request.data)
            data.is_valid(raise_exception=True)
            identity_write(actor=request.user, case=case, **data.validated_data)
        identity = identity_read(actor=request.user, case=case)
        values = {f: getattr(identity, f) for f in IDENTITY_FIELDS} if identity else {}
        for name in _IDENTITY_LISTS:  # a list never given reads as an empty list, not null
            if name in values and values[name] is None:
                values[name] = []
        return Response(IdentitySerializer(values).data)

    @extend_schema(methods=["GET"], responses=ConsentSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ConsentCreateSerializer, responses={201: ConsentSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def consents(self, request, pk=None):
        case = self.get_object()
        if request.method == "POST":
            refuse_under_emergency(case)
            if not request.user.has_perm("cases.manage_consent", case):
                raise PermissionDeniedError()
            data = ConsentCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            recipient_id = values.pop("recipient", None)
            recipient = None
            if recipient_id is not None:
                recipient = Organisation.objects.filter(
                    pk=recipient_id, participant=case.participant
                ).first()
                if recipient is None:
                    raise NotFoundError()
            consent = consent_record(actor=request.user, case=case, recipient=recipient, **values)
            return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)
        return Response(ConsentSerializer(case.consents.all(), many=True).data)

    @extend_schema(request=DecisionSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        case = self.get_object()
        refuse_under_emergency(case)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bodies = user_scope(request.user).organisations_with("cases.record_decision")
        body = Organisation.objects.filter(pk__in=bodies).order_by("name").first()
        decision_record(actor=request.user, case=case, organisation=body, **data.validated_data)
        case.refresh_from_db()
        return Response(CaseSerializer(case).data)


class WithdrawSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ConsentViewSet(viewsets.GenericViewSet):
    serializer_class = ConsentSerializer
    queryset = Consent.objects.none()
    permission_classes = [perm_required("cases.manage_consent")]

    @extend_schema(request=WithdrawSerializer, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a consent: nothing more is shared under it, and recipients are told."""
        consent = visible_or_404(
            Consent.objects.filter(case__in=Case.objects.visible_to(request.user)).select_related(
                "case"
            ),
            pk,
        )
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_withdraw(
            actor=request.user, consent=consent, note=data.validated_data["note"]
        )
        return Response(ConsentSerializer(consent).data)
