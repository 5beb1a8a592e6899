"""The self-check as a form: one radio group per question (in the person's language) and the
participant whose numbers to show. Every question may be left unanswered (it counts as "I don't
know"); only a value the page never offers is refused."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.prevention.choices import Answer
from veza.prevention.selfcheck import SelfCheck

__all__ = ["SelfCheckForm"]


class SelfCheckForm(forms.Form):
    participant = forms.CharField(required=False, max_length=4)

    def __init__(self, *args, selfcheck: SelfCheck, language: str, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.questions = selfcheck.questions(language)
        labels = selfcheck.labels(language)
        choices = [(a.value, labels[a.value]) for a in Answer]
        for question in self.questions:
            self.fields[question.id] = forms.ChoiceField(
                label=question.text, choices=choices, required=False, widget=forms.RadioSelect
            )
        self.participant_codes = {p.code for p in participants}

    def clean_participant(self) -> str:
        code = self.cleaned_data.get("participant") or ""
        if code and code not in self.participant_codes:
            raise forms.ValidationError(_("Choose one of the participants listed."))
        return code

    def answers(self) -> dict[str, str]:
        return {q.id: self.cleaned_data.get(q.id) or "" for q in self.questions}

    def rows(self):
        """(question, the bound field) in order, for the template's own radio layout."""
        return [(q, self[q.id]) for q in self.questions]
