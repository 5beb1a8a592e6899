"""A case as HTCDS-named JSON and as a PDF summary, with what the user may see. Both audited."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from veza.cases.services import IDENTITY_FIELDS, identity_read
from veza.core.audit import audit_log

__all__ = ["case_htcds", "case_summary_pdf", "htcds_case", "htcds_person"]

HTCDS_GENDER = {
    "female": "Female",
    "male": "Male",
    "other": "TransgenderOrOther",
    "unknown": "Unknown",
}


def htcds_case(case) -> dict:
    """The case's facts, decisions, screenings, consents and referrals under HTCDS v2 names (no
    identity, no audit: callers decide who may see it and log the export)."""
    return {
        "caseId": case.code,
        "caseStatus": case.case_status,
        "traffickingStatus": case.trafficking_status,
        "gender": HTCDS_GENDER.get(case.sex, "Unknown"),
        "ageAtRegistration": case.age,
        "isMinor": case.is_child,
        "citizenship": case.citizenship or None,
        "countryOfExploitation": case.exploitation_country or None,
        "typeOfExploitation": list(case.exploitation),
        "meansOfControl": list(case.control_methods),
        "reflectionPeriodStart": case.reflection_started_at.isoformat()
        if case.reflection_started_at
        else None,
        "identificationDecisions": [
            {"status": d.status, "decidedBy": d.organisation.name, "date": d.decided_on.isoformat()}
            for d in case.decisions.select_related("organisation")
        ],
        "screenings": [
            {
                "reference": s.reference,
                "outcome": s.outcome,
                "questionnaire": s.questionnaire.code,
                "completedAt": s.completed_at.isoformat() if s.completed_at else None,
            }
            for s in case.screenings.select_related("questionnaire")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "recipient": c.recipient.name if c.recipient else None,
                "givenBy": c.given_by,
                "informationVersion": c.information_version,
                "recordedAt": c.recorded_at.isoformat(),
                "withdrawnAt": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in case.consents.select_related("recipient")
        ],
        "referrals": [
            {
                "to": r.to_organisation.name,
                "service": r.service.service_type,
                "status": r.status,
                "urgency": r.urgency,
                "sentAt": r.created_at.isoformat(),
                "sharedFields": list(r.shared_fields),
            }
            for r in case.referrals.select_related("to_organisation", "service")
        ],
    }


def htcds_person(identity) -> dict:
    """The identity record under HTCDS v2 names."""
    return {
        "givenName": identity.given_names,
        "familyName": identity.family_name,
        "otherNames": identity.other_names,
        "dateOfBirth": identity.date_of_birth or None,
        "placeOfBirth": identity.place_of_birth,
        "documents": identity.documents or [],
        "contacts": identity.contacts or [],
        "languages": identity.languages or [],
    }


def case_htcds(*, actor, case) -> dict:
    """Field names after the Human Trafficking Case Data Standard (HTCDS v2)."""
    data = {
        "standard": "HTCDS v2 field names (Veza export)",
        "exportedAt": timezone.now().isoformat(),
        **htcds_case(case),
    }
    included_identity = False
    if actor.has_perm("cases.view_identity", case):
        identity = identity_read(actor=actor, case=case)
        if identity is not None:
            data["person"] = htcds_person(identity)
            included_identity = True
    audit_log(
        "case.export",
        actor=actor,
        obj=case,
        organisation_id=case.organisation_id,
        detail={
            "format": "htcds-json",
            "identity": included_identity,
            "fields": sorted(IDENTITY_FIELDS) if included_identity else [],
        },
    )
    return data


def case_summary_pdf(*, actor, case, request=None) -> bytes:
    """A printable summary (WeasyPrint: HTML to PDF, fonts and styles of the instance only)."""
    from weasyprint import HTML

    data = case_htcds(actor=actor, case=case)
    html = render_to_string(
        "referrals/case_summary.html", {"data": data, "case": case}, request=request
    )
    return HTML(string=html).write_pdf()
