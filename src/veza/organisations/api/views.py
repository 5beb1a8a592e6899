from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from veza.core.api.permissions import HasAnyRole, perm_required
from veza.core.scoping import access_by_id
from veza.organisations.api.serializers import (
    CurrentUserSerializer,
    OrganisationSerializer,
    ParticipantSerializer,
)
from veza.organisations.models import Organisation, Participant
from veza.organisations.selectors import organisation_list_visible

__all__ = ["CurrentUserView", "OrganisationViewSet", "ParticipantViewSet"]


class CurrentUserView(APIView):
    """The user the request is authenticated as, their memberships and their permissions."""

    permission_classes = [HasAnyRole]

    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request):
        return Response(CurrentUserSerializer(request.user).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("participant", str, description="Participant code, e.g. RS"),
            OpenApiParameter("sector", str, description="Sector code, e.g. health"),
            OpenApiParameter("q", str, description="Part of the name or city"),
        ]
    )
)
class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation directory: organisations of the participants where you work."""

    serializer_class = OrganisationSerializer
    permission_classes = [perm_required("organisations.view_organisation")]
    queryset = Organisation.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        return organisation_list_visible(
            user=self.request.user,
            participant=params.get("participant") or None,
            sector=params.get("sector") or None,
            q=(params.get("q") or "")[:100] or None,
        )

    def get_object(self):
        return access_by_id(
            Organisation,
            self.request.user,
            self.kwargs["pk"],
            perm="organisations.view_organisation",
        )


class ParticipantViewSet(viewsets.ReadOnlyModelViewSet):
    """The participants of the regional initiative and the regional centre."""

    serializer_class = ParticipantSerializer
    permission_classes = [perm_required("organisations.view_participant")]
    queryset = Participant.objects.none()

    def get_queryset(self):
        return Participant.objects.visible_to(self.request.user)

    def get_object(self):
        return access_by_id(
            Participant,
            self.request.user,
            self.kwargs["pk"],
            perm="organisations.view_participant",
        )
