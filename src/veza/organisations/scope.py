"""What one user may reach: their live memberships, read once per request.

The scope is cached on the user object, which Django builds anew for every request, so a revoked
role or a deactivated account takes effect on the very next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["UserScope", "user_scope"]


@dataclass(frozen=True)
class UserScope:
    #: organisation id -> permission names ("app_label.codename") held there
    perms_by_organisation: dict[int, frozenset[str]] = field(default_factory=dict)
    participant_by_organisation: dict[int, int] = field(default_factory=dict)
    role_codes: frozenset[str] = frozenset()
    sees_all_participants: bool = False

    @property
    def has_any_role(self) -> bool:
        return bool(self.perms_by_organisation)

    @property
    def participant_ids(self) -> frozenset[int]:
        return frozenset(self.participant_by_organisation.values())

    @property
    def all_perms(self) -> frozenset[str]:
        perms: set[str] = set()
        for held in self.perms_by_organisation.values():
            perms |= held
        return frozenset(perms)

    def organisations_with(self, perm: str) -> frozenset[int]:
        return frozenset(o for o, held in self.perms_by_organisation.items() if perm in held)

    def participants_with(self, perm: str) -> frozenset[int]:
        """Participants in which the user holds `perm` (e.g. a coordinator's participant-wide
        view)."""
        return frozenset(self.participant_by_organisation[o] for o in self.organisations_with(perm))

    def records_filter(
        self, org_perm: str, participant_perm: str, *, org_field: str, participant_field: str
    ):
        """The Q that selects records of the user's organisations (`org_perm`) and of whole
        participants (`participant_perm`); None when the user may see none.

        `participant_field` must be the participant of `org_field`'s organisation (as it is for
        every record that carries both): an organisation of a participant seen whole adds nothing,
        so it is left out, and a national coordinator's lists become one condition on the
        participant that an index on it answers — not an OR that makes the database read every
        row of the table to sort it."""
        from django.db.models import Q

        participants = self.participants_with(participant_perm)
        orgs = frozenset(
            o
            for o in self.organisations_with(org_perm)
            if self.participant_by_organisation.get(o) not in participants
        )
        if not orgs and not participants:
            return None
        if not participants:
            return Q(**{f"{org_field}__in": orgs})
        if not orgs:
            return Q(**{f"{participant_field}__in": participants})
        return Q(**{f"{org_field}__in": orgs}) | Q(**{f"{participant_field}__in": participants})


EMPTY = UserScope()


def user_scope(user) -> UserScope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_veza_scope", None)
    if cached is not None:
        return cached
    from veza.organisations.models import Membership

    perms: dict[int, set[str]] = {}
    participants: dict[int, int] = {}
    roles: set[str] = set()
    regional = False
    rows = (
        Membership.objects.live()
        .filter(user_id=user.pk)
        .values_list(
            "organisation_id",
            "organisation__participant_id",
            "role__code",
            "role__regional",
            "role__permissions__content_type__app_label",
            "role__permissions__codename",
        )
    )
    for org_id, participant_id, role_code, role_regional, app_label, codename in rows:
        held = perms.setdefault(org_id, set())
        participants[org_id] = participant_id
        roles.add(role_code)
        regional = regional or role_regional
        if codename:
            held.add(f"{app_label}.{codename}")
    scope = UserScope(
        perms_by_organisation={o: frozenset(p) for o, p in perms.items()},
        participant_by_organisation=participants,
        role_codes=frozenset(roles),
        sees_all_participants=regional,
    )
    user._veza_scope = scope
    return scope
