"""The XLSForm of a participant's questionnaire, checked with pyxform before it is handed out."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veza.core.errors import ValidationError
from veza.fieldforms.xlsform import FORM_LANGUAGES, FormVersions, xlsform_bytes, xlsform_sheets
from veza.indicators.services import content_bundle

__all__ = ["ExportedForm", "form_export", "form_versions"]

# The interface words of the form; the texts of the questions come from the content files.
LABELS = {
    "yes": gettext_lazy("Yes"),
    "no": gettext_lazy("No"),
    "unsure": gettext_lazy("Unsure"),
    "not_asked": gettext_lazy("Not asked"),
    "exploitation.labour": gettext_lazy("Labour exploitation (forced labour or services)"),
    "exploitation.sexual": gettext_lazy("Sexual exploitation"),
    "exploitation.begging_criminality": gettext_lazy("Forced begging or forced criminal activity"),
    "exploitation.domestic_servitude": gettext_lazy("Domestic servitude"),
    "exploitation.forced_marriage": gettext_lazy("Forced marriage"),
    "exploitation.other": gettext_lazy("Other form"),
    "exploitation.unsure": gettext_lazy("Not sure yet"),
    "age.known": gettext_lazy("I know the age"),
    "age.unknown_child": gettext_lazy("Unknown — may be a child (treated as a child)"),
    "age.unknown_adult": gettext_lazy("Unknown — clearly an adult"),
    "age_years": gettext_lazy("Age in years"),
    "age_range": gettext_lazy("The age must be between 0 and 120."),
    "reference": gettext_lazy("Your own reference"),
    "reference_help": gettext_lazy("Optional: a file number or pseudonym you use. Never a name."),
    "reference_too_long": gettext_lazy("At most 40 characters."),
    "required": gettext_lazy("This answer is needed to finish the screening."),
}


def _labels(key: str, language: str) -> str:
    with translation.override(language):
        return str(LABELS[key])


@dataclass(frozen=True)
class ExportedForm:
    file_name: str
    content: bytes
    questions: int
    version: str


def form_versions(participant, bundle) -> FormVersions:
    return FormVersions(
        participant=participant.code if participant else "all",
        sets=tuple(sorted(f"{s.code}@{s.version}" for s in bundle.sets.values())),
        rule=f"{bundle.rule.code}@{bundle.rule.version}",
    )


def form_export(*, participant, questionnaire_code: str, language: str) -> ExportedForm:
    """The questionnaire the participant screens with now, as an XLSForm that pyxform accepts."""
    if language not in FORM_LANGUAGES:
        raise ValidationError(fields={"language": [_("Choose one of the listed languages.")]})
    bundle = content_bundle(participant)
    stored = bundle.questionnaires.get(questionnaire_code)
    if stored is None:
        raise ValidationError(
            fields={
                "questionnaire": [_("There is no questionnaire called %s.") % questionnaire_code]
            }
        )
    parsed = bundle.parse_questionnaire(stored)
    versions = form_versions(participant, bundle)
    sheets = xlsform_sheets(parsed, versions=versions, language=language, labels=_labels)
    content = xlsform_bytes(sheets)
    check_with_pyxform(content)
    version = sheets["settings"][0]["version"]
    where = participant.code.lower() if participant else "all"
    return ExportedForm(
        file_name=f"veza-{parsed.id}-{where}-{language}-v{version}.xlsx",
        content=content,
        questions=len(parsed.questions),
        version=version,
    )


def check_with_pyxform(content: bytes) -> str:
    """The XForm XML that ODK and KoboToolbox would make of the workbook; raises if they could
    not (a form that does not convert must never be handed out)."""
    from pyxform.xls2xform import convert

    result = convert(xlsform=io.BytesIO(content), file_type=".xlsx", validate=False)
    return result.xform
