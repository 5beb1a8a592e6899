"""Writes (and audited reads) of the cases app. One transaction each, audit entry inside it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.cases.choices import (
    CaseStatus,
    ConsentGiver,
    ConsentPurpose,
    Exploitation,
    MethodOfControl,
    Sex,
    TraffickingStatus,
)
from veza.cases.emergency import may_view_identity
from veza.cases.models import Case, CaseEvent, Consent, Identity, TraffickingDecision, new_case_code
from veza.core.audit import audit_log
from veza.core.crypto import blind_index
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.core.versioning import save_versioned

__all__ = [
    "case_close",
    "case_open",
    "case_update",
    "consent_record",
    "consent_withdraw",
    "consent_withdrawn",
    "decision_record",
    "identity_read",
    "identity_search",
    "identity_write",
]

#: Sent inside the withdrawing transaction; referrals stop sharing and notify recipients.
consent_withdrawn = Signal()

#: How a suspected form of exploitation in a screening maps onto the case's forms.
SCREENING_FORMS = {
    "labour": Exploitation.FORCED_LABOUR,
    "sexual": Exploitation.SEXUAL,
    "begging_criminality": Exploitation.FORCED_BEGGING,
    "domestic_servitude": Exploitation.DOMESTIC_SERVITUDE,
    "forced_marriage": Exploitation.FORCED_MARRIAGE,
    "other": Exploitation.OTHER,
}
PURPOSES_WITH_RECIPIENT = {
    ConsentPurpose.REFERRAL,
    ConsentPurpose.DATA_SHARING,
}
IDENTITY_FIELDS = (
    "given_names",
    "family_name",
    "other_names",
    "date_of_birth",
    "place_of_birth",
    "documents",
    "contacts",
    "languages",
)


def _require(actor, perm: str, case_or_org) -> None:
    if not actor.has_perm(perm, case_or_org):
        raise PermissionDeniedError()


def _event(case: Case, actor, kind: str, **detail) -> None:
    CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        organisation_id=detail.pop("organisation_id", case.organisation_id),
        kind=kind,
        detail=detail,
    )


def _check_open(case: Case) -> None:
    if case.is_closed:
        raise ValidationError(_("This case is closed and can no longer be changed."))


def _clean_facts(fields: dict) -> dict:
    problems: dict[str, list[str]] = {}
    clean = {}
    for name, value in fields.items():
        if name == "sex":
            if value not in Sex.values:
                problems[name] = [_("Choose one of the listed values.")]
        elif name in ("exploitation", "control_methods"):
            allowed = Exploitation.values if name == "exploitation" else MethodOfControl.values
            value = list(dict.fromkeys(value or []))
            if any(v not in allowed for v in value):
                problems[name] = [_("Choose from the listed values only.")]
        elif name in ("citizenship", "exploitation_country"):
            value = (value or "").strip().upper()
            if value and (len(value) != 2 or not value.isalpha()):
                problems[name] = [_("Give a two-letter country code, e.g. RS, AL or XK.")]
        elif name == "age":
            if value not in (None, "") and not (isinstance(value, int) and 0 <= value <= 120):
                problems[name] = [_("The age must be between 0 and 120.")]
            value = value if value != "" else None
        elif name == "is_child":
            value = bool(value)
        else:
            problems[name] = [_("This field cannot be changed here.")]
        clean[name] = value
    if problems:
        raise ValidationError(fields=problems)
    return clean


@transaction.atomic
def case_open(*, actor, organisation, screening=None, **facts) -> Case:
    """Open a case, usually from a screening: its age, child status and forms carry over."""
    _require(actor, "cases.add_case", organisation)
    if screening is not None:
        if screening.organisation_id != organisation.pk or screening.is_draft:
            raise ValidationError(_("Open a case from a completed screening of your organisation."))
        facts.setdefault("age", screening.age)
        facts.setdefault("is_child", screening.age_group == "child")
        facts.setdefault(
            "exploitation",
            [SCREENING_FORMS[f] for f in screening.exploitation if f in SCREENING_FORMS],
        )
    facts = _clean_facts(facts)
    year = timezone.now().year
    for _attempt in range(5):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    code=new_case_code(organisation.participant.code, year),
                    organisation=organisation,
                    participant=organisation.participant,
                    created_by=actor,
                    **facts,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover
        raise ValidationError(_("Could not create a case code; please try again."))
    if screening is not None:
        case.screenings.add(screening)
        if screening.outcome == "presumed_victim":
            # Reasonable grounds: the recovery and reflection period starts now.
            case.reflection_started_at = timezone.now()
            case.save(update_fields=["reflection_started_at"])
    _event(case, actor, "case.opened", screening=screening.reference if screening else "")
    audit_log(
        "case.open",
        actor=actor,
        obj=case,
        organisation_id=organisation.pk,
        detail={"screening": screening.pk if screening else None},
    )
    return case


@transaction.atomic
def case_update(*, actor, case: Case, expected_version: int, **facts) -> Case:
    _require(actor, "cases.change_case", case)
    _check_open(case)
    facts = _clean_facts(facts)
    for name, value in facts.items():
        setattr(case, name, value)
    save_versioned(case, list(facts), expected_version=expected_version)
    _event(case, actor, "case.updated", fields=sorted(facts))
    audit_log(
        "case.update",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        detail={"fields": sorted(facts)},
    )
    return case


@transaction.atomic
def case_close(*, actor, case: Case, expected_version: int, referred: bool = False) -> Case:
    _require(actor, "cases.change_case", case)
    _check_open(case)
    case.case_status = CaseStatus.CLOSED_REFERRED if referred else CaseStatus.CLOSED
    case.closed_at = timezone.now()
    save_versioned(case, ["case_status", "closed_at"], expected_version=expected_version)
    _event(case, actor, "case.closed", status=case.case_status)
    audit_log(
        "case.close",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        detail={"status": case.case_status},
    )
    return case


# --- Identity ----------------------------------------------------------------------------------


@transaction.atomic
def identity_write(*, actor, case: Case, **values) -> Identity:
    """Record or correct who the person is. Only with the identity permission in the owning
    organisation; the audit says which fields changed, never their values."""
    _require(actor, "cases.change_identity", case)
    _check_open(case)
    unknown = set(values) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValidationError(
            fields={f: [_("This field cannot be changed here.")] for f in unknown}
        )
    for name in ("documents", "contacts", "languages"):
        if name in values and not isinstance(values[name], list):
            raise ValidationError(fields={name: [_("Give a list.")]})
    if values.get("date_of_birth"):
        try:
            dt.date.fromisoformat(values["date_of_birth"])
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                fields={"date_of_birth": [_("Give the date as YYYY-MM-DD.")]}
            ) from exc
    identity, _created = Identity.objects.get_or_create(case=case)
    for name, value in values.items():
        setattr(identity, name, value.strip() if isinstance(value, str) else value)
    identity.family_name_index = blind_index(identity.family_name or "", purpose="family_name")
    identity.full_name_index = blind_index(
        f"{identity.given_names or ''} {identity.family_name or ''}", purpose="full_name"
    )
    identity.updated_by = actor
    identity.save()
    _event(case, actor, "identity.updated", fields=sorted(values))
    audit_log(
        "identity.update",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        detail={"fields": sorted(values)},
    )
    return identity


@transaction.atomic
def identity_read(*, actor, case: Case) -> Identity | None:
    """The identity record, for someone with the identity permission; the read is audited.
    Under emergency access (`case.emergency_access`, set by `case_get_visible`) the identity
    permission held in the user's own organisation counts, and the read says so."""
    if not may_view_identity(actor, case):
        raise PermissionDeniedError()
    identity = Identity.objects.filter(case=case).first()
    grant = getattr(case, "emergency_access", None)
    detail = {"via": "break_glass", "grant": grant.pk} if grant is not None else None
    audit_log(
        "identity.read", actor=actor, obj=case, organisation_id=case.organisation_id, detail=detail
    )
    return identity


@transaction.atomic
def identity_search(*, actor, name: str) -> list[Case]:
    """Cases of the actor's organisations whose person has this name (any spelling of accents
    and case). Exact name or family name: keyed hashes cannot find parts of names."""
    from veza.organisations.scope import user_scope

    orgs = user_scope(actor).organisations_with("cases.view_identity")
    if not orgs:
        raise PermissionDeniedError()
    full = blind_index(name, purpose="full_name")
    family = blind_index(name, purpose="family_name")
    if not full:
        return []
    found = list(
        Case.objects.filter(organisation_id__in=orgs).filter(
            Q(identity__full_name_index=full) | Q(identity__family_name_index=family)
        )
    )
    audit_log("identity.search", actor=actor, detail={"results": len(found)})
    return found


# --- Consent -----------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor,
    case: Case,
    purpose: str,
    information_version: str,
    recipient=None,
    given_by: str = ConsentGiver.PERSON,
    child_views: str = "",
) -> Consent:
    _require(actor, "cases.manage_consent", case)
    _check_open(case)
    problems: dict[str, list[str]] = {}
    if purpose not in ConsentPurpose.values:
        problems["purpose"] = [_("Choose one of the listed purposes.")]
    if purpose in PURPOSES_WITH_RECIPIENT and recipient is None:
        problems["recipient"] = [_("Name the organisation this consent is for.")]
    if purpose not in PURPOSES_WITH_RECIPIENT and recipient is not None:
        problems["recipient"] = [_("This purpose does not name a recipient.")]
    if not (information_version or "").strip():
        problems["information_version"] = [_("Say which information the person was given.")]
    if given_by not in ConsentGiver.values:
        problems["given_by"] = [_("Choose who gave the consent.")]
    if case.is_child:
        if given_by == ConsentGiver.PERSON:
            problems["given_by"] = [
                _("For a child, the guardian or legal representative gives consent.")
            ]
        if not (child_views or "").strip():
            problems["child_views"] = [_("Record the child's own views.")]
    if problems:
        raise ValidationError(fields=problems)
    consent = Consent.objects.create(
        case=case,
        purpose=purpose,
        recipient=recipient,
        information_version=information_version.strip(),
        given_by=given_by,
        child_views=(child_views or "").strip(),
        recorded_by=actor,
    )
    _event(
        case,
        actor,
        "consent.recorded",
        purpose=purpose,
        recipient=recipient.pk if recipient else None,
    )
    audit_log(
        "consent.record",
        actor=actor,
        obj=consent,
        organisation_id=case.organisation_id,
        detail={
            "case": case.pk,
            "purpose": purpose,
            "recipient": recipient.pk if recipient else None,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, note: str = "") -> Consent:
    """Stops any further sharing under this consent; recipients are told (by the referrals)."""
    case = consent.case
    _require(actor, "cases.manage_consent", case)
    if not consent.is_live:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_note = (note or "")[:300]
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    _event(
        case, actor, "consent.withdrawn", purpose=consent.purpose, recipient=consent.recipient_id
    )
    audit_log(
        "consent.withdraw",
        actor=actor,
        obj=consent,
        organisation_id=case.organisation_id,
        detail={"case": case.pk, "purpose": consent.purpose},
    )
    consent_withdrawn.send(sender=Consent, consent=consent, actor=actor)
    return consent


def consent_covers(case: Case, *, purpose: str, recipient=None) -> bool:
    qs = Consent.objects.live().filter(case=case, purpose=purpose)
    if recipient is not None:
        qs = qs.filter(recipient=recipient)
    return qs.exists()


# --- Formal identification -----------------------------------------------------------------------


@transaction.atomic
def decision_record(
    *, actor, case: Case, status: str, organisation, decided_on: dt.date, note: str = ""
) -> TraffickingDecision:
    """A formal decision by an identification body; it sets the case's trafficking status."""
    if not actor.has_perm("cases.record_decision", organisation):
        raise PermissionDeniedError()
    _check_open(case)
    if status not in TraffickingStatus.values:
        raise ValidationError(fields={"status": [_("Choose one of the listed decisions.")]})
    if decided_on > timezone.localdate():
        raise ValidationError(
            fields={"decided_on": [_("A decision cannot be dated in the future.")]}
        )
    decision = TraffickingDecision.objects.create(
        case=case,
        status=status,
        organisation=organisation,
        decided_on=decided_on,
        note=(note or "")[:300],
        recorded_by=actor,
    )
    case.trafficking_status = status
    fields = ["trafficking_status"]
    if status == TraffickingStatus.ACTUAL and case.reflection_started_at is None:
        case.reflection_started_at = timezone.now()
        fields.append("reflection_started_at")
    save_versioned(case, fields, expected_version=case.version)
    _event(case, actor, "decision.recorded", status=status, organisation_id=organisation.pk)
    audit_log(
        "case.decision",
        actor=actor,
        obj=case,
        organisation_id=organisation.pk,
        detail={"status": status, "decided_on": decided_on.isoformat()},
    )
    return decision
