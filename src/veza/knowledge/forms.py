"""Forms of the guidance library. They gather what a person typed; the services check it (code
lists, lengths, the PDF once more) and their messages land on the form's fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.core.uploads import UploadField
from veza.knowledge.choices import Audience, Kind, Topic
from veza.knowledge.languages import document_languages
from veza.knowledge.models import PDF_MAX_MB
from veza.organisations.choices import Sector

__all__ = [
    "REGIONAL",
    "DetailsForm",
    "DocumentForm",
    "TextFields",
    "TextForm",
    "participant_choices",
]

#: The participant choice that means a regional document (no participant).
REGIONAL = "regional"


def participant_choices(scope, participants) -> list[tuple[str, str]]:
    """The participants someone may write documents for, and "regional" when they may."""
    choices = [(str(p.pk), p.name) for p in participants if scope.covers(p.pk)]
    if scope.regional:
        choices.append((REGIONAL, str(_("Regional (every participant)"))))
    return choices


def _blank(choices, label):
    return [("", label), *choices]


class TextFields(forms.Form):
    language = forms.ChoiceField(label=_("Language of the text"))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: who the document is for and what it helps to do."),
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=100_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(document_languages())


class DocumentForm(TextFields):
    """A new document: what it is, for whom, and its first text."""

    participant = forms.ChoiceField(label=_("Participant"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=_blank(Sector.choices, _("Every sector")), required=False
    )
    audience = forms.ChoiceField(
        label=_("Who may read it"), choices=Audience.choices, initial=Audience.PROFESSIONALS
    )
    slug = forms.CharField(
        label=_("Short name in links (optional)"),
        max_length=80,
        required=False,
        help_text=_("Small letters, digits and hyphens; made from the title when left empty."),
    )

    field_order = ["participant", "kind", "topic", "sector", "audience", "language", "title"]

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = participants


class DetailsForm(forms.Form):
    """What a document is (its texts change by versions)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    sector = forms.ChoiceField(
        label=_("Sector"), choices=_blank(Sector.choices, _("Every sector")), required=False
    )
    audience = forms.ChoiceField(label=_("Who may read it"), choices=Audience.choices)


class TextForm(TextFields):
    """One language's text of the draft, with its PDF."""

    pdf = UploadField(
        label=_("PDF (optional)"),
        kinds=("pdf",),
        max_mb=PDF_MAX_MB,
        required=False,
        help_text=_("The document as printed, at most 10 MB."),
    )
    remove_pdf = forms.BooleanField(label=_("Remove the PDF kept now"), required=False)
