"""Writes of the organisations app. Each runs in one transaction and writes its audit entry."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction

from veza.core.audit import audit_log
from veza.core.errors import ValidationError
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Membership, Organisation, Participant, Role

__all__ = [
    "content_sync_after_migrate",
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

    if app_config is None or app_config is not list(apps.get_app_configs())[-1]:
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
