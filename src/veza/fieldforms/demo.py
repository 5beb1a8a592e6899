"""Demo: quick screens the police recorded offline with ODK Collect at a border crossing,
imported from ODK Central's JSON export (invented, like all demo data), so that the offline forms
page, the imported screenings and the worklist show something on a fresh demo."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from veza.core.errors import PermissionDeniedError
from veza.fieldforms.models import SubmissionImport
from veza.fieldforms.services import submissions_import
from veza.fieldforms.xlsform import form_values
from veza.indicators.services import content_bundle
from veza.organisations.models import Membership, Organisation
from veza.screening.demo import VIGNETTES, answers_for
from veza.screening.models import Screening

__all__ = ["demo_offline_imports"]


def _fields(parsed, answers) -> dict:
    """A screener's answers as the form's fields, grouped as ODK Central's OData nests them."""
    values = form_values(parsed, answers)
    record: dict = {}
    for section in parsed.sections:
        ids = {q.id for q in section.questions}
        record[f"s_{section.id}"] = {
            name: " ".join(value) if isinstance(value, list) else value
            for name, value in values.items()
            if name.removesuffix("__unknown") in ids
        }
    return record


def demo_offline_imports(*, progress=None) -> dict:
    if settings.PRODUCTION:
        raise PermissionDeniedError("Demo data is refused on a production instance.")
    if SubmissionImport.objects.filter(organisation__is_demo=True).exists():
        return {"lines": ["The demo offline import exists already."]}
    organisation = Organisation.objects.filter(
        participant__code="RS", is_demo=True, sector="police"
    ).first()
    if organisation is None:
        return {"lines": ["No demo police organisation of RS: no offline import."]}
    bundle = content_bundle(organisation.participant)
    stored = bundle.questionnaires["quick"]
    parsed = bundle.parse_questionnaire(stored)
    now = timezone.now()
    value = []
    for number, (_name, age, forms, indicators, urgent) in enumerate(VIGNETTES[:6], start=1):
        instance = f"uuid:{uuid.UUID(int=20261125 * 1000 + number)}"
        answers = answers_for(parsed, age, forms, indicators, urgent)
        value.append(
            {
                "__id": instance,
                "end": (now - timedelta(hours=30 - 2 * number)).isoformat(),
                "veza_questionnaire": stored.code,
                "veza_questionnaire_version": str(stored.version),
                "veza_reference": f"KELEBIJA-{number:03d}",
                **_fields(parsed, answers),
                "meta": {"instanceID": instance},
                "__system": {"submitterName": "reception.tablet.2"},
            }
        )
    raw = json.dumps({"value": value}).encode()
    member = (
        Membership.objects.live()
        .filter(organisation=organisation, role__permissions__codename="add_screening")
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if member is None:
        return {"lines": ["No demo police officer: no offline import."]}
    batch = submissions_import(
        actor=member.user, organisation=organisation, file_name="Submissions.json", raw=raw
    )
    Screening.objects.filter(pk__in=batch.screenings.values("pk")).update(is_demo=True)
    return {
        "lines": [
            f"Offline forms: {batch.created} quick screens imported from ODK Central for "
            f"{organisation.name}; see /forms/."
        ]
    }
