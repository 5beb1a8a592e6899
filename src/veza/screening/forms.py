"""Forms built from questionnaire data: one form per section, and the start form."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.indicators.questionnaire import (
    AGE_UNKNOWN_ADULT,
    AGE_UNKNOWN_CHILD,
    Question,
    Questionnaire,
)
from veza.indicators.text import localized

__all__ = ["EXPLOITATION_LABELS", "StartForm", "section_form"]

YES_NO_LABELS = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unsure", _("Unsure")),
    ("not_asked", _("Not asked")),
]
EXPLOITATION_LABELS = {
    "labour": _("Labour exploitation (forced labour or services)"),
    "sexual": _("Sexual exploitation"),
    "begging_criminality": _("Forced begging or forced criminal activity"),
    "domestic_servitude": _("Domestic servitude"),
    "forced_marriage": _("Forced marriage"),
    "other": _("Other form"),
    "unsure": _("Not sure yet"),
}
AGE_UNKNOWN_LABELS = [
    ("", _("I know the age (type it above)")),
    (AGE_UNKNOWN_CHILD, _("Unknown — may be a child (treated as a child)")),
    (AGE_UNKNOWN_ADULT, _("Unknown — clearly an adult")),
]


class SectionForm(forms.Form):
    questions: list[Question] = []

    def answers(self) -> dict:
        """The cleaned answers of this section, keyed by question id (blank ones as None)."""
        out = {}
        for question in self.questions:
            if question.type == "age":
                unknown = self.cleaned_data.get(f"{question.id}__unknown")
                years = self.cleaned_data.get(question.id)
                out[question.id] = unknown or (years if years is not None else None)
            else:
                value = self.cleaned_data.get(question.id)
                out[question.id] = value if value not in ("", []) else None
        return out

    def clean(self):
        data = super().clean()
        for question in self.questions:
            if question.type == "age":
                unknown = data.get(f"{question.id}__unknown")
                if unknown and data.get(question.id) is not None:
                    self.add_error(
                        f"{question.id}__unknown",
                        _("Either type the age or say it is unknown, not both."),
                    )
        return data


def _field(question: Question, language: str):
    label = localized(question.text, language)
    help_text = localized(question.help, language)
    if question.type == "yes_no":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=YES_NO_LABELS,
            widget=forms.RadioSelect,
        )
    if question.type == "choice":
        return forms.ChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[(o.value, localized(o.text, language)) for o in question.options],
            widget=forms.RadioSelect,
        )
    if question.type == "multi":
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=[(o.value, localized(o.text, language)) for o in question.options],
            widget=forms.CheckboxSelectMultiple,
        )
    if question.type == "exploitation":
        return forms.MultipleChoiceField(
            label=label,
            help_text=help_text,
            required=False,
            choices=list(EXPLOITATION_LABELS.items()),
            widget=forms.CheckboxSelectMultiple,
        )
    if question.type == "age":
        return forms.IntegerField(
            label=label,
            help_text=help_text,
            required=False,
            min_value=0,
            max_value=120,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
    raise ValueError(question.type)


def section_form(
    questionnaire: Questionnaire, index: int, *, language: str, data=None, answers=None
) -> SectionForm:
    """The form of section `index`, filled with saved `answers` unless `data` was posted."""
    section = questionnaire.sections[index]
    fields = {}
    initial = {}
    for question in section.questions:
        field = _field(question, language)
        if question.show_if and "question" in question.show_if:
            field.widget.attrs["data-show-if"] = json.dumps(question.show_if)
        fields[question.id] = field
        saved = (answers or {}).get(question.id)
        if question.type == "age":
            fields[f"{question.id}__unknown"] = forms.ChoiceField(
                label=_("If the age is not known"),
                required=False,
                choices=AGE_UNKNOWN_LABELS,
                widget=forms.RadioSelect,
            )
            if saved in (AGE_UNKNOWN_CHILD, AGE_UNKNOWN_ADULT):
                initial[f"{question.id}__unknown"] = saved
            elif saved is not None:
                initial[question.id] = saved
        elif saved is not None:
            initial[question.id] = saved
    form_class = type(
        "SectionForm", (SectionForm,), {**fields, "questions": list(section.questions)}
    )
    return form_class(data=data, initial=initial, prefix=None)


class StartForm(forms.Form):
    questionnaire = forms.ChoiceField(label=_("Questionnaire"), widget=forms.RadioSelect)
    organisation = forms.ChoiceField(label=_("For the organisation"))
    person_ref = forms.CharField(
        label=_("Your own reference (optional)"),
        max_length=40,
        required=False,
        help_text=_(
            "A file number or pseudonym that helps you find this screening again. Never a name: "
            "Veza gives every screening its own reference."
        ),
    )

    def __init__(self, *args, questionnaires, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = questionnaires
        self.fields["organisation"].choices = [(str(o.pk), o.name) for o in organisations]
        self.only_organisation = str(organisations[0].pk) if len(organisations) == 1 else None
        if self.only_organisation:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].required = False
            self.initial.setdefault("organisation", self.only_organisation)

    def clean_organisation(self):
        return self.cleaned_data.get("organisation") or self.only_organisation
