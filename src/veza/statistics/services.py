"""Writes of a participant's national statistics: releases built, approved with a fresh second
factor, exported and sent to the hub (whose side is `statistics.hub`); all audited."""

from __future__ import annotations

import shutil

from django.db import transaction
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.context import current_ip
from veza.core.errors import ValidationError
from veza.core.stepup import second_factor_check, second_factor_error
from veza.statistics.hub import release_receive

__all__ = [
    "privacy_budget_left",
    "release_approve",
    "release_build",
    "release_export",
    "release_send",
]


def _release_scope(actor, participant) -> None:
    from veza.core.errors import PermissionDeniedError
    from veza.organisations.scope import user_scope

    if participant.pk not in user_scope(actor).participants_with("veza_statistics.approve_release"):
        raise PermissionDeniedError()


def privacy_budget_left(*, participant, year: int) -> dict:
    """A participant's differential-privacy budget for a year: total, spent and left (epsilon);
    the spec's `budget_per_year` while nothing was spent."""
    from decimal import Decimal

    from django.db.models import Sum

    from veza.statistics.models import PrivacyBudget
    from veza.statistics.release import spec

    budget = PrivacyBudget.objects.filter(participant=participant, year=year).first()
    if budget is None:
        total, spent = Decimal(str(spec().get("budget_per_year", 2.0))), Decimal(0)
    else:
        total = budget.epsilon
        spent = budget.spends.aggregate(total=Sum("epsilon"))["total"] or Decimal(0)
    return {"year": year, "total": total, "spent": spent, "left": max(total - spent, Decimal(0))}


def _epsilon_text(value) -> str:
    from django.utils.formats import number_format

    return number_format(float(f"{float(value):g}"))


def _privacy_reserve(participant, year: int, definition: dict):
    """Lock the participant's budget for the year (made with the spec's `budget_per_year` on
    first use) and refuse a release that would overspend it. Returns the budget, what
    `build_release` needs to know of it, and the epsilon the release will spend. Call inside
    the transaction that records the spending."""
    from decimal import Decimal

    from django.db.models import Sum

    from veza.statistics.models import PrivacyBudget
    from veza.statistics.release import dp_epsilon

    budget, _created = PrivacyBudget.objects.select_for_update().get_or_create(
        participant=participant,
        year=year,
        defaults={"epsilon": Decimal(str(definition.get("budget_per_year", 2.0)))},
    )
    spent = budget.spends.aggregate(total=Sum("epsilon"))["total"] or Decimal(0)
    need = Decimal(str(dp_epsilon(definition)[1]))
    if spent + need > budget.epsilon:
        raise ValidationError(
            fields={
                "method": [
                    _(
                        "Adding random noise would use ε %(need)s of the privacy budget for "
                        "%(year)s, but only ε %(left)s of ε %(total)s is left. Choose another "
                        "protection method."
                    )
                    % {
                        "need": _epsilon_text(need),
                        "year": year,
                        "left": _epsilon_text(max(budget.epsilon - spent, Decimal(0))),
                        "total": _epsilon_text(budget.epsilon),
                    }
                ]
            }
        )
    return budget, {"budget": float(budget.epsilon), "spent_before": float(spent)}, need


def _release_method(method: str | None, definition: dict) -> str:
    from veza.statistics.release import METHODS

    method = method or definition.get("method", "suppression")
    if method not in METHODS:
        raise ValidationError(fields={"method": [_("Choose one of the protection methods.")]})
    return method


def _release_files(participant_code: str, year: int, out, *, method: str, privacy, **options):
    """build_release with its errors as ValidationError (the caller removes the files)."""
    from veza.statistics.release import NothingToRelease, ReleaseError, build_release

    try:
        return build_release(participant_code, year, out, method=method, privacy=privacy, **options)
    except NothingToRelease as exc:
        raise ValidationError(
            fields={
                "year": [_("No case was registered in that year: there is nothing to release.")]
            }
        ) from exc
    except ReleaseError as exc:
        raise ValidationError(
            fields={
                "method": [_("The release could not be built: %(reason)s") % {"reason": str(exc)}]
            }
        ) from exc


@transaction.atomic
def release_build(*, actor, participant, year: int, method: str | None = None):
    """Build, sign and audit the participant's release for a year, protected by `method`
    (the spec's by default); it waits for approval. A differentially private release spends
    from the participant's privacy budget for the year, in the same transaction."""
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from veza.statistics.models import PrivacySpend, Release
    from veza.statistics.release import audit_release, spec

    _release_scope(actor, participant)
    definition = spec()
    method = _release_method(method, definition)
    budget = privacy = epsilon = None
    if method == "dp":  # refused before a single file is written
        budget, privacy, epsilon = _privacy_reserve(participant, year, definition)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    out = (
        Path(settings.VEZA_DATA_DIR)
        / "releases"
        / "outgoing"
        / f"{participant.code}-{year}-{stamp}"
    )
    try:
        built = _release_files(participant.code, year, out, method=method, privacy=privacy)
        problems, unsafe = audit_release(out)
        if problems or unsafe:  # never expected: the builder protects every table it writes
            raise ValidationError(
                fields={"year": [_("The release did not pass its protection audit.")]}
            )
        release = Release.objects.create(
            participant=participant,
            year=year,
            directory=str(out),
            manifest=built.manifest,
            built_by=actor,
        )
        if budget is not None:
            PrivacySpend.objects.create(
                budget=budget,
                release=release,
                epsilon=epsilon,
                purpose=f"release {participant.code} {year} ({len(built.manifest['tables'])} "
                "tables)",
                created_by=actor,
            )
        audit_log(
            "release.build",
            actor=actor,
            obj=release,
            detail={
                "participant": participant.code,
                "year": year,
                "method": method,
                "epsilon": None if epsilon is None else float(epsilon),
            },
        )
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # no files of a release that was not recorded
        raise
    return release


def release_export(
    *,
    actor,
    participant_code: str,
    year: int,
    out,
    method: str | None = None,
    threshold: int | None = None,
    progress=None,
):
    """Write a release into `out` outside the coordinator's pages (`veza stats release`): no
    Release row, but a differentially private one spends from the privacy budget in the same
    transaction as the build, and the files are removed when anything fails."""
    from pathlib import Path

    from veza.organisations.models import Participant
    from veza.statistics.models import PrivacySpend
    from veza.statistics.release import spec

    participant = Participant.objects.filter(code=participant_code).first()
    if participant is None:
        raise ValidationError(
            fields={
                "participant": [
                    _("There is no participant with the code %(code)s.")
                    % {"code": participant_code}
                ]
            }
        )
    definition = spec()
    method = _release_method(method, definition)
    out = Path(out)
    existed = out.exists()
    before = set(out.iterdir()) if existed else set()
    try:
        with transaction.atomic():
            budget = privacy = epsilon = None
            if method == "dp":
                budget, privacy, epsilon = _privacy_reserve(participant, year, definition)
            built = _release_files(
                participant.code,
                year,
                out,
                method=method,
                privacy=privacy,
                threshold=threshold,
                progress=progress,
            )
            if budget is not None:
                PrivacySpend.objects.create(
                    budget=budget,
                    epsilon=epsilon,
                    purpose=f"release {participant.code} {year} written to {out}"[:200],
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            audit_log(
                "release.build",
                actor=actor,
                detail={
                    "participant": participant.code,
                    "year": year,
                    "method": method,
                    "epsilon": None if epsilon is None else float(epsilon),
                    "files": built.manifest["files"],
                },
            )
    except BaseException:
        if not existed:
            shutil.rmtree(out, ignore_errors=True)
        elif out.exists():
            for path in set(out.iterdir()) - before:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink()
        raise
    return built


def release_approve(*, actor, release, code: str):
    """Approve a built release; a fresh code from the authenticator app is required. A wrong
    code is audited (outside the refused change, so the record stays) and changes nothing."""
    from django.utils import timezone

    from veza.statistics.models import Release, ReleaseStatus

    _release_scope(actor, release.participant)
    if release.status != ReleaseStatus.BUILT:
        raise ValidationError(fields={"release": [_("This release is not waiting for approval.")]})
    outcome, wait = second_factor_check(actor, code, ip=current_ip())
    if outcome != "ok":
        with transaction.atomic():
            audit_log("release.approve_failed", actor=actor, obj=release, detail={"step": "code"})
        raise ValidationError(fields={"code": [second_factor_error(outcome, wait)]})
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=release.pk)
        if release.status != ReleaseStatus.BUILT:
            raise ValidationError(
                fields={"release": [_("This release is not waiting for approval.")]}
            )
        release.status = ReleaseStatus.APPROVED
        release.approved_by, release.approved_at = actor, timezone.now()
        release.save(update_fields=["status", "approved_by", "approved_at"])
        audit_log("release.approve", actor=actor, obj=release, detail={"second_factor": True})
    return release


@transaction.atomic
def release_send(*, actor, release):
    """Send an approved release to the regional hub: stored here when this instance is the hub
    too (`VEZA_RELEASES_TO=local`, the default), or pushed to the hub's instance as a signed,
    encrypted `release.submit` packet (`VEZA_RELEASES_TO=hub`), acknowledged by a receipt."""
    from django.conf import settings
    from django.utils import timezone

    from veza.core import exchange
    from veza.statistics.models import Release, ReleaseStatus

    release = Release.objects.select_for_update().get(pk=release.pk)
    _release_scope(actor, release.participant)
    if release.status != ReleaseStatus.APPROVED:
        raise ValidationError(fields={"release": [_("Only an approved release can be sent.")]})
    if settings.VEZA_RELEASES_TO == "hub":
        if not exchange.sender_available():
            raise ValidationError(
                fields={"release": [_("No federation is set up to reach the hub.")]}
            )
        packet_id = exchange.send("hub", "release.submit", release_payload(release))
        batch = None
        detail = {"packet": packet_id}
    else:
        batch = release_receive(actor=actor, directory=release.directory)
        detail = {"revision": batch.revision}
    release.status, release.sent_at = ReleaseStatus.SENT, timezone.now()
    release.save(update_fields=["status", "sent_at"])
    audit_log("release.send", actor=actor, obj=release, detail=detail)
    return batch


def release_payload(release) -> dict:
    """The release's files, as a packet carries them (the manifest signs them all)."""
    import base64
    from pathlib import Path

    directory = Path(release.directory)
    names = ["manifest.json", "manifest.sig", *sorted(release.manifest.get("files", {}))]
    return {
        "release": release.pk,
        "files": {
            name: base64.b64encode((directory / name).read_bytes()).decode() for name in names
        },
    }


def receive_release_receipt(peer, payload, packet_id):
    """At the participant's instance: the hub acknowledges a release."""
    from django.utils import timezone

    from veza.statistics.models import Release

    release = Release.objects.select_for_update().get(pk=int(payload["release"]))
    if release.participant.code != payload.get("participant"):
        raise ValidationError("the receipt is for another participant's release")
    release.hub_receipt = {**payload, "hub": peer.instance}
    release.acknowledged_at = timezone.now()
    release.save(update_fields=["hub_receipt", "acknowledged_at"])
    audit_log(
        "release.acknowledged",
        actor=f"peer:{peer.instance}",
        obj=release,
        detail={"revision": payload.get("revision"), "packet": packet_id},
    )
    return []
