from django.contrib.auth import get_user_model
from rest_framework import serializers

from veza.organisations.models import Membership, Organisation, Participant

__all__ = [
    "CurrentUserSerializer",
    "MembershipSerializer",
    "OrganisationSerializer",
    "ParticipantSerializer",
]


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "code", "name", "kind", "note"]


class OrganisationSerializer(serializers.ModelSerializer):
    participant = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "participant", "name", "short_name", "sector", "type", "city", "is_active"]


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer(read_only=True)
    role = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role"]


class CurrentUserSerializer(serializers.ModelSerializer):
    permissions = serializers.SerializerMethodField()
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "language",
            "permissions",
            "memberships",
        ]

    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())

    def get_memberships(self, user) -> list[dict]:
        rows = (
            Membership.objects.live()
            .filter(user=user)
            .select_related("organisation__participant", "role")
            .order_by("organisation__name")
        )
        return MembershipSerializer(rows, many=True).data
