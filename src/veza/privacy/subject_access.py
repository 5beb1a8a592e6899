"""Subject access (GDPR art. 15, Convention 108+ art. 9(1)(b)): everything Veza holds about the
person of one case, as JSON (complete, machine-readable) and as a PDF summary. Audited.

The keys of the JSON are described in docs/privacy.md. The case's facts and identity use the
same HTCDS names as the per-case export (`veza.referrals.export`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from veza.core.audit import audit_log
from veza.core.errors import NotFoundError, PermissionDeniedError

__all__ = [
    "FORMAT",
    "SubjectAccessExport",
    "case_for_subject_access",
    "subject_access_data",
    "subject_access_export",
]

FORMAT = "veza-subject-access/1"
PERM = "privacy.subject_access"


def _iso(value):
    return value.isoformat() if value is not None else None


def _who(user):
    return user.username if user is not None else None


def case_for_subject_access(reference: str, *, user=None):
    """The case with this code (or id). For a person on a page: only among the cases they may
    see and in organisations or participants where they hold the subject-access permission;
    anything else is "not found"."""
    from veza.cases.models import Case

    reference = (reference or "").strip()
    queryset = Case.objects.select_related("organisation", "participant")
    if user is not None:
        from veza.organisations.scope import user_scope

        where = user_scope(user).records_filter(
            PERM, PERM, org_field="organisation_id", participant_field="participant_id"
        )
        if where is None:
            raise PermissionDeniedError()
        queryset = queryset.visible_to(user).filter(where)
    lookup = Q(code__iexact=reference)
    if reference.isdigit():
        lookup |= Q(pk=int(reference))
    case = queryset.filter(lookup).first() if reference else None
    if case is None:
        raise NotFoundError()
    return case


def _audit_refs(case, parts: dict) -> Q:
    refs = {
        "cases.case": [case.pk],
        "cases.consent": [c["id"] for c in parts["consents"]],
        "screening.screening": [s["id"] for s in parts["screenings"]],
        "referrals.referral": [r["id"] for r in parts["referrals"]],
        "federation.crossborderreferral": [r["id"] for r in parts["crossBorderReferrals"]],
        "interpreters.interpreterrequest": [b["id"] for b in parts["interpreterBookings"]],
        "interpreters.booking": [
            b["id"] for r in parts["interpreterBookings"] for b in r["bookings"]
        ],
    }
    where = Q(pk__in=[])
    for object_type, ids in refs.items():
        if ids:
            where |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    return where


def subject_access_data(case) -> dict:
    """Everything held about the person of the case (not audited: see subject_access_export)."""
    from veza.cases.models import Identity
    from veza.core.models import AuditEntry
    from veza.federation.models import CrossBorderReferral
    from veza.interpreters.models import InterpreterRequest
    from veza.privacy.models import LegalHold
    from veza.referrals.export import htcds_case, htcds_person
    from veza.referrals.models import CaseProgress, Deadline, Notification, Referral

    identity = Identity.objects.filter(case=case).first()
    progress = CaseProgress.objects.filter(case=case).first()

    def deadline(d):
        return {
            "kind": d.kind,
            "organisation": d.organisation.name,
            "dueAt": _iso(d.due_at),
            "doneAt": _iso(d.done_at),
        }

    data = {
        "format": FORMAT,
        "exportedAt": timezone.now().isoformat(),
        "instance": settings.VEZA_INSTANCE_ID,
        "case": {
            "id": case.pk,
            "organisation": case.organisation.name,
            "participant": case.participant.code,
            "openedAt": _iso(case.created_at),
            "closedAt": _iso(case.closed_at),
            "openedBy": _who(case.created_by),
            **htcds_case(case),
        },
        "identity": htcds_person(identity) if identity else None,
        "timeline": [
            {
                "at": _iso(e.at),
                "kind": e.kind,
                "organisation": e.organisation.name if e.organisation else None,
                "by": _who(e.actor),
                "detail": e.detail,
            }
            for e in case.events.select_related("organisation", "actor").order_by("at", "id")
        ],
        "sop": {
            "stage": progress.stage,
            "done": list(progress.done),
            "updatedAt": _iso(progress.updated_at),
        }
        if progress
        else None,
        "deadlines": [
            deadline(d)
            for d in Deadline.objects.filter(case=case, referral__isnull=True).select_related(
                "organisation"
            )
        ],
        "decisions": [
            {
                "status": d.status,
                "decidedBy": d.organisation.name,
                "decidedOn": d.decided_on.isoformat(),
                "note": d.note,
                "recordedAt": _iso(d.recorded_at),
                "recordedBy": _who(d.recorded_by),
            }
            for d in case.decisions.select_related("organisation", "recorded_by")
        ],
        "consents": [
            {
                "id": c.pk,
                "purpose": c.purpose,
                "recipient": c.recipient.name if c.recipient else None,
                "givenBy": c.given_by,
                "informationVersion": c.information_version,
                "childViews": c.child_views,
                "recordedAt": _iso(c.recorded_at),
                "recordedBy": _who(c.recorded_by),
                "withdrawnAt": _iso(c.withdrawn_at),
                "withdrawnBy": _who(c.withdrawn_by),
                "withdrawalNote": c.withdrawal_note,
            }
            for c in case.consents.select_related(
                "recipient", "recorded_by", "withdrawn_by"
            ).order_by("recorded_at", "id")
        ],
        "screenings": [
            {
                "id": s.pk,
                "reference": s.reference,
                "ownReference": s.person_ref,
                "organisation": s.organisation.name,
                "questionnaire": s.questionnaire.code,
                "mode": s.mode,
                "sector": s.sector,
                "status": s.status,
                "answers": s.answers,
                "age": s.age,
                "ageGroup": s.age_group,
                "suspectedExploitation": list(s.exploitation),
                "indicatorsPresent": list(s.present),
                "urgentFlags": list(s.urgent),
                "outcome": s.outcome,
                "recommendedAction": s.action,
                "nextStep": s.quick_action,
                "origin": s.origin,
                "recordedWith": s.origin_tool,
                "startedAt": _iso(s.created_at),
                "completedAt": _iso(s.completed_at),
                "by": _who(s.created_by),
            }
            for s in case.screenings.select_related(
                "organisation", "questionnaire", "created_by"
            ).order_by("created_at", "id")
        ],
        "referrals": [
            {
                "id": r.pk,
                "direction": "sent",
                "from": r.from_organisation.name,
                "to": r.to_organisation.name,
                "service": r.service.service_type,
                "status": r.status,
                "urgency": r.urgency,
                "reason": r.reason,
                "sharedFields": list(r.shared_fields),
                "consent": r.consent_id,
                "reasonWithoutConsent": r.override_reason,
                "declineReason": r.decline_reason,
                "sentAt": _iso(r.created_at),
                "sentBy": _who(r.sent_by),
                "respondedAt": _iso(r.responded_at),
                "respondedBy": _who(r.responded_by),
                "closedAt": _iso(r.closed_at),
                "deadlines": [deadline(d) for d in r.deadlines.select_related("organisation")],
            }
            for r in Referral.objects.filter(case=case)
            .select_related(
                "from_organisation", "to_organisation", "service", "sent_by", "responded_by"
            )
            .order_by("created_at", "id")
        ],
        "crossBorderReferrals": [
            {
                "id": x.pk,
                "reference": str(x.reference),
                "direction": "sent" if x.direction == "out" else "received",
                "peer": {"instance": x.peer.instance, "participant": x.peer.participant},
                "counterpart": x.counterpart,
                "organisation": x.organisation.name,
                "status": x.status,
                "urgency": x.urgency,
                "reason": x.reason,
                "sharedFields": list(x.shared_fields),
                "sharedData": x.shared_data or {},
                "riskAssessment": x.risk_assessment,
                "caseCodeOverThere": x.remote_case_code,
                "declineReason": x.decline_reason,
                "createdAt": _iso(x.created_at),
                "respondedAt": _iso(x.responded_at),
                "sentBy": _who(x.sent_by),
            }
            for x in CrossBorderReferral.objects.filter(case=case)
            .select_related("peer", "organisation", "sent_by")
            .order_by("created_at", "id")
        ],
        "interpreterBookings": [
            {
                "id": r.pk,
                "organisation": r.organisation.name,
                "languages": list(r.languages),
                "dialect": r.dialect,
                "into": r.target_language,
                "setting": r.setting,
                "start": _iso(r.start),
                "end": _iso(r.end),
                "remote": r.remote,
                "place": r.place,
                "status": r.status,
                "requestedBy": _who(r.requester),
                "bookings": [
                    {
                        "id": b.pk,
                        "interpreter": b.interpreter.name,
                        "start": _iso(b.start),
                        "end": _iso(b.end),
                        "status": b.status,
                        "note": b.note,
                    }
                    for b in r.bookings.select_related("interpreter").order_by("start", "id")
                ],
            }
            for r in InterpreterRequest.objects.filter(reference__iexact=case.code)
            .select_related("organisation", "requester")
            .order_by("start", "id")
        ],
        "notifications": [
            {"kind": n.kind, "to": _who(n.user), "createdAt": _iso(n.created_at)}
            for n in Notification.objects.filter(Q(case=case) | Q(referral__case=case))
            .select_related("user")
            .order_by("created_at", "id")
        ],
        "legalHolds": [
            {
                "reason": h.reason,
                "until": _iso(h.until),
                "placedAt": _iso(h.placed_at),
                "placedBy": h.placed_by,
                "liftedAt": _iso(h.lifted_at),
            }
            for h in LegalHold.objects.filter(case=case).order_by("placed_at", "id")
        ],
    }
    data["audit"] = [
        {
            "lane": e.lane,
            "sequence": e.sequence,
            "at": _iso(e.at),
            "by": e.actor,
            "action": e.action,
            "objectType": e.object_type,
            "objectId": e.object_id,
            "detail": e.detail,
        }
        for e in AuditEntry.objects.filter(_audit_refs(case, data)).order_by("at", "id")
    ]
    return data


@dataclass(frozen=True)
class SubjectAccessExport:
    reference: str
    data: dict
    json: bytes
    pdf: bytes


def _pdf(data: dict, case, language: str) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(
            "privacy/subject_access.html",
            {"data": data, "case": case, "LANGUAGE_CODE": language},
        )
    return HTML(string=html).write_pdf()


@transaction.atomic
def subject_access_export(
    *, actor, case, language: str = "en", formats=("json", "pdf")
) -> SubjectAccessExport:
    """Gather, render and audit one subject-access export (`subject_access.export`, the case id
    only). The files are made here; the caller writes or sends them."""
    import json

    if not isinstance(actor, str):
        from veza.organisations.scope import user_scope

        scope = user_scope(actor)
        in_participant = case.participant_id in scope.participants_with(
            PERM
        ) and case.participant_id in scope.participants_with("cases.view_participant_cases")
        if case.organisation_id not in scope.organisations_with(PERM) and not in_participant:
            raise PermissionDeniedError()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    data = subject_access_data(case)
    raw = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()
    pdf = _pdf(data, case, language) if "pdf" in formats else b""
    audit_log(
        "subject_access.export",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        detail={"case": case.pk, "formats": sorted(formats), "language": language},
    )
    return SubjectAccessExport(case.code, data, raw if "json" in formats else b"", pdf)
