"""Forms of the recommendation and action-plan pages. They only shape input: the services
validate and decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.core.uploads import UploadField
from veza.recommendations.choices import Body, LinkKind, ProgressStatus, Theme
from veza.recommendations.importer import MAX_BYTES
from veza.recommendations.models import Measure, ProgressReport, Recommendation, Source, Strategy
from veza.recommendations.services import MEASURE_FIELDS
from veza.recommendations.topics import topic_choices

__all__ = [
    "FilterForm",
    "ImportForm",
    "LinkForm",
    "MeasureForm",
    "ObjectiveForm",
    "ProgressForm",
    "RecommendationForm",
    "SourceForm",
    "StrategyForm",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANY = [("", _("any"))]


def _participant_choices(participants) -> list[tuple[str, str]]:
    return [(str(p.pk), f"{p.name} ({p.code})") for p in participants]


class FilterForm(forms.Form):
    participant = forms.ChoiceField(label=_("Participant"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    status = forms.ChoiceField(
        label=_("Answered by a measure"),
        required=False,
        choices=[*ANY, ("answered", _("answered")), ("unanswered", _("not answered"))],
    )
    q = forms.CharField(label=_("Words in the text"), required=False, max_length=100)

    def __init__(self, *args, participants=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = ANY + [
            (p.code, f"{p.name} ({p.code})") for p in participants
        ]
        self.fields["theme"].choices = ANY + list(Theme.choices)
        self.fields["topic"].choices = ANY + topic_choices()
        self.fields["source"].choices = ANY + [(str(s.pk), str(s)) for s in sources]


class RecommendationForm(forms.ModelForm):
    participant = forms.TypedChoiceField(label=_("Participant"), coerce=int)
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none())
    topics = forms.MultipleChoiceField(
        label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Recommendation
        fields = ["source", "reference", "year", "theme", "topics", "priority", "wording", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = Source.objects.all()
        self.fields["topics"].choices = topic_choices()
        if self.instance.pk:
            del self.fields["participant"]
        else:
            self.fields["participant"].choices = _participant_choices(participants)
            self.order_fields(["participant"])


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label=_("This recommendation"), choices=LinkKind.choices)
    other = forms.TypedChoiceField(label=_("Recommendation"), coerce=int)

    def __init__(self, *args, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [(r.pk, f"{r.label}: {r.text[:80]}") for r in others]


class SourceForm(forms.ModelForm):
    body = forms.ChoiceField(label=_("Body"), choices=Body.choices)
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Source
        fields = ["body", "title", "round_or_year", "published", "url"]
        widgets = {"published": DATE}


class ImportForm(forms.Form):
    participant = forms.TypedChoiceField(
        label=_("Participant"),
        coerce=int,
        help_text=_("Rows without a participant code are imported for this participant."),
    )
    file = UploadField(
        kinds=("csv", "xlsx"),
        max_mb=MAX_BYTES // (1024 * 1024),
        label=_("File (CSV or XLSX)"),
        help_text=_("Laid out as the template. At most 2 MB and 2000 rows."),
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = _participant_choices(participants)


class StrategyForm(forms.ModelForm):
    participant = forms.TypedChoiceField(label=_("Participant"), coerce=int)

    class Meta:
        model = Strategy
        fields = ["title", "period_start", "period_end", "context"]
        widgets = {"context": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["participant"]
        else:
            self.fields["participant"].choices = _participant_choices(participants)
            self.order_fields(["participant"])


class ObjectiveForm(forms.Form):
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    text = forms.CharField(label=_("Objective"), max_length=500)


class MeasureForm(forms.ModelForm):
    objective = forms.TypedChoiceField(label=_("Objective"), coerce=int)
    recommendations = forms.TypedMultipleChoiceField(
        label=_("Recommendations it answers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Measure
        # The objective and the recommendations are chosen among the plan's own (see __init__).
        fields = list(MEASURE_FIELDS)
        widgets = {"deadline": DATE}

    def __init__(self, *args, objectives=(), recommendations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].choices = [
            (o.pk, f"{o.get_theme_display()}: {o.text[:80]}") for o in objectives
        ]
        self.fields["recommendations"].choices = [
            (r.pk, f"{r.label} — {r.text[:90]}") for r in recommendations
        ]
        self.order_fields(["objective"])
        if self.instance.pk:
            self.initial.setdefault("objective", self.instance.objective_id)
            self.initial.setdefault(
                "recommendations", list(self.instance.recommendations.values_list("pk", flat=True))
            )


class ProgressForm(forms.ModelForm):
    status = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices)

    class Meta:
        model = ProgressReport
        fields = ["period", "period_end", "status", "indicator_value", "evidence"]
        widgets = {"period_end": DATE, "evidence": forms.Textarea(attrs={"rows": 3})}
