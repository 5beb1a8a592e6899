"""Forms of training: a course, enrolling professionals, and the practice questionnaire (every
section of the real questionnaire on one page, built by veza.screening.forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.organisations.choices import Sector
from veza.screening.forms import section_form
from veza.training.choices import CourseKind, Topic

__all__ = ["CourseForm", "EnrolForm", "practice_answers", "practice_forms"]


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    sector = forms.ChoiceField(
        label=_("Sector"),
        required=False,
        choices=[("", _("Every sector")), *Sector.choices],
    )
    organiser = forms.ChoiceField(label=_("Organising organisation"), required=False)
    trainers = forms.CharField(label=_("Trainers"), max_length=300, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["organiser"].choices = [
            ("", _("none")),
            *((k, o.name) for k, o in self.organisations.items()),
        ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["organiser"] = self.organisations.get(data.get("organiser") or "")
        return data


class EnrolForm(forms.Form):
    members = forms.MultipleChoiceField(
        label=_("Professionals to enrol"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [
            (
                f"{m.user_id}:{m.organisation_id}",
                f"{m.user.get_full_name() or m.user.username} — {m.organisation.name}",
            )
            for m in candidates
        ]

    def pairs(self) -> list[tuple[int, int]]:
        return [tuple(int(x) for x in v.split(":")) for v in self.cleaned_data["members"]]


def practice_forms(parsed, *, language: str, data=None) -> list:
    """One form per section of the questionnaire, all bound to the same posted data (the
    question ids are unique in a questionnaire, so the fields do not collide)."""
    return [
        section_form(parsed, index, language=language, data=data)
        for index in range(len(parsed.sections))
    ]


def practice_answers(forms_: list) -> dict | None:
    """Every section's answers, or None when a section's form is not valid."""
    answers: dict = {}
    valid = True
    for form in forms_:
        if form.is_valid():
            answers.update(form.answers())
        else:
            valid = False
    return answers if valid else None
