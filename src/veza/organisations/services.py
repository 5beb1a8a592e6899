"""Writes of the organisations app. Each runs in one transaction and writes its audit entry."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import (
    MANAGE_EMERGENCY,
    EmergencyArea,
    Membership,
    Organisation,
    Participant,
    Role,
    emergency_areas_of,
)

__all__ = [
    "content_sync_after_migrate",
    "emergency_end",
    "emergency_start",
    "membership_create",
    "membership_deactivate",
    "national_participant_codes",
    "organisation_create",
    "participants_sync",
    "roles_sync",
]


def _load(name: str) -> dict:
    path = Path(settings.VEZA_CONTENT_DIR) / name
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, _dot, codename = name.partition(".")
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is None:
            raise ValidationError(f"roles.yaml names an unknown permission: {name}")
        found.append(perm)
    return found


def national_participant_codes() -> list[str]:
    """The codes of the national participants, in the order of `data/participants.yaml`."""
    return [
        row["code"]
        for row in _load("participants.yaml")["participants"]
        if row.get("kind", ParticipantKind.NATIONAL) == ParticipantKind.NATIONAL
    ]


@transaction.atomic
def participants_sync() -> int:
    """Create or update the participants listed in `data/participants.yaml`."""
    changed = 0
    for row in _load("participants.yaml")["participants"]:
        defaults = {
            "name": row["name"],
            "kind": row.get("kind", ParticipantKind.NATIONAL),
            "note": row.get("note", "").strip(),
            "reflection_days": max(30, int(row.get("reflection_days", 30))),
        }
        participant, created = Participant.objects.get_or_create(
            code=row["code"], defaults=defaults
        )
        if created or any(getattr(participant, k) != v for k, v in defaults.items()):
            for key, value in defaults.items():
                setattr(participant, key, value)
            participant.save()
            audit_log(
                "participant.create" if created else "participant.update",
                actor="system",
                obj=participant,
                detail={"code": participant.code},
            )
            changed += 1
    return changed


@transaction.atomic
def roles_sync() -> int:
    """Make the built-in roles match `data/roles.yaml` (the file is their single source)."""
    changed = 0
    for code, spec in _load("roles.yaml")["roles"].items():
        perms = _permissions(spec.get("permissions", []))
        role, created = Role.objects.get_or_create(
            code=code, defaults={"name": spec["name"], "builtin": True}
        )
        before = set(role.permissions.values_list("pk", flat=True))
        fields = {
            "name": spec["name"],
            "description": spec.get("description", ""),
            "regional": bool(spec.get("regional", False)),
            "builtin": True,
        }
        dirty = created or any(getattr(role, k) != v for k, v in fields.items())
        if dirty:
            for key, value in fields.items():
                setattr(role, key, value)
            role.save()
        if before != {p.pk for p in perms}:
            role.permissions.set(perms)
            dirty = True
        if dirty:
            audit_log(
                "role.create" if created else "role.update",
                actor="system",
                obj=role,
                detail={"code": code, "permissions": sorted(spec.get("permissions", []))},
            )
            changed += 1
    return changed


def content_sync_after_migrate(sender, app_config=None, **kwargs):
    """After `migrate`, once every app (and so every permission) exists: participants and roles."""
    from django.apps import apps

    # Django signals only the apps that have models, so the last of those is the one to wait for.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is None or app_config is not with_models[-1]:
        return
    participants_sync()
    roles_sync()


@transaction.atomic
def organisation_create(*, actor, participant: Participant, **fields) -> Organisation:
    organisation = Organisation(participant=participant, **fields)
    organisation.full_clean()
    organisation.save()
    audit_log(
        "organisation.create",
        actor=actor,
        obj=organisation,
        organisation_id=organisation.pk,
        detail={"participant": participant.code, "sector": organisation.sector},
    )
    return organisation


@transaction.atomic
def membership_create(*, actor, user, organisation: Organisation, role: Role) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit_log(
        "membership.create",
        actor=actor,
        obj=membership,
        organisation_id=organisation.pk,
        detail={"user_id": user.pk, "role": role.code},
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor, membership: Membership) -> Membership:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_log(
        "membership.deactivate",
        actor=actor,
        obj=membership,
        organisation_id=membership.organisation_id,
        detail={"user_id": membership.user_id, "role": membership.role.code},
    )
    return membership


#: The longest name and reason of an emergency area.
AREA_NAME_MAX = EmergencyArea._meta.get_field("name").max_length
AREA_NOTE_MAX = EmergencyArea._meta.get_field("note").max_length


def _may_manage_emergency(actor, participant: Participant) -> bool:
    # The operator on the command line and the demo loader name themselves by a string.
    if isinstance(actor, str):
        return True
    from veza.organisations.scope import user_scope

    return participant.pk in user_scope(actor).participants_with(MANAGE_EMERGENCY)


@transaction.atomic
def emergency_start(
    *, actor, participant: Participant, name: str, organisation_ids, note: str = ""
) -> EmergencyArea:
    """Switch a group of the participant's organisations into emergency mode (a mass arrival).
    An organisation is in at most one active area; on any problem nothing is written."""
    if not _may_manage_emergency(actor, participant):
        raise PermissionDeniedError()
    # Starts for one participant are taken one at a time, so that two coordinators cannot put
    # the same organisation into two areas at once.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    name, note = (name or "").strip(), (note or "").strip()
    problems: dict[str, list[str]] = {}
    if not name:
        problems["name"] = [_("Name the area, e.g. the border crossing or reception centre.")]
    elif len(name) > AREA_NAME_MAX:
        problems["name"] = [
            _("The name is at most %(max)s characters long.") % {"max": AREA_NAME_MAX}
        ]
    if len(note) > AREA_NOTE_MAX:
        problems["note"] = [
            _("The reason is at most %(max)s characters long.") % {"max": AREA_NOTE_MAX}
        ]
    try:
        ids = sorted({int(pk) for pk in organisation_ids or []})
    except (TypeError, ValueError):
        ids = None
    organisations = []
    if not ids:
        problems["organisations"] = [_("Choose at least one organisation working in the area.")]
    else:
        organisations = list(
            Organisation.objects.filter(pk__in=ids, participant=participant, is_active=True)
        )
        if len(organisations) != len(ids):
            problems["organisations"] = [
                _("Choose only active organisations of %(participant)s.")
                % {"participant": participant.name}
            ]
        else:
            busy = sorted(emergency_areas_of(ids).values())
            if busy:
                problems["organisations"] = [
                    _("%(organisation)s is already in emergency mode, in the area %(area)s.")
                    % {"organisation": organisation, "area": area}
                    for organisation, area in busy
                ]
    if problems:
        raise ValidationError(fields=problems)
    area = EmergencyArea.objects.create(
        participant=participant,
        name=name,
        note=note,
        started_by=None if isinstance(actor, str) else actor,
    )
    area.organisations.set(organisations)
    audit_log(
        "emergency.start",
        actor=actor,
        obj=area,
        detail={"participant": participant.code, "organisations": ids},
    )
    return area


@transaction.atomic
def emergency_end(*, actor, area: EmergencyArea) -> EmergencyArea:
    """End an area's emergency mode; its counts stay, frozen at the end."""
    if not _may_manage_emergency(actor, area.participant):
        raise PermissionDeniedError()
    area = EmergencyArea.objects.select_for_update().get(pk=area.pk)
    if area.ended_at is not None:
        raise ConflictError(_("Emergency mode for this area has already ended."))
    area.ended_at = timezone.now()
    area.ended_by = None if isinstance(actor, str) else actor
    area.save(update_fields=["ended_at", "ended_by"])
    audit_log(
        "emergency.end",
        actor=actor,
        obj=area,
        detail={"participant": area.participant.code},
    )
    return area
