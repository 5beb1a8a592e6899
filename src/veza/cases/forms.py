from django import forms
from django.utils.translation import gettext_lazy as _

from veza.cases.choices import (
    ConsentGiver,
    ConsentPurpose,
    Exploitation,
    MethodOfControl,
    Sex,
    TraffickingStatus,
)

__all__ = [
    "BreakGlassForm",
    "CaseFactsForm",
    "ConsentForm",
    "DecisionForm",
    "IdentityForm",
    "NameSearchForm",
]


class CaseFactsForm(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    is_child = forms.BooleanField(label=_("A child, or presumed a child"), required=False)
    citizenship = forms.CharField(
        label=_("Citizenship"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code, e.g. RS, AL, XK, SY, AF."),
    )
    exploitation_country = forms.CharField(
        label=_("Country of exploitation"),
        max_length=2,
        required=False,
        help_text=_("Two-letter country code."),
    )
    exploitation = forms.MultipleChoiceField(
        label=_("Forms of exploitation"),
        choices=Exploitation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    control_methods = forms.MultipleChoiceField(
        label=_("Methods of control"),
        choices=MethodOfControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class IdentityForm(forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=200, required=False)
    other_names = forms.CharField(label=_("Other names or aliases"), max_length=300, required=False)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    place_of_birth = forms.CharField(label=_("Place of birth"), max_length=200, required=False)
    documents = forms.CharField(
        label=_("Identity documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: type, number, issued by."),
    )
    contacts = forms.CharField(
        label=_("Safe contacts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. Only contacts that are safe to use."),
    )
    languages = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
        help_text=_("Comma-separated, e.g. Albanian, Arabic, English."),
    )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "given_names": data["given_names"],
            "family_name": data["family_name"],
            "other_names": data["other_names"],
            "date_of_birth": data["date_of_birth"].isoformat() if data["date_of_birth"] else "",
            "place_of_birth": data["place_of_birth"],
            "documents": [line.strip() for line in data["documents"].splitlines() if line.strip()],
            "contacts": [line.strip() for line in data["contacts"].splitlines() if line.strip()],
            "languages": [x.strip() for x in data["languages"].split(",") if x.strip()],
        }


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    recipient = forms.ChoiceField(
        label=_("Recipient organisation"),
        required=False,
        help_text=_("For a referral or for sharing data: the organisation the consent is for."),
    )
    information_version = forms.CharField(
        label=_("Information given"),
        max_length=40,
        help_text=_("The version of the information sheet the person received, e.g. info-2026-1."),
    )
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    child_views = forms.CharField(
        label=_("The child's views"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "—")] + [
            (str(o.pk), o.name) for o in organisations
        ]


class DecisionForm(forms.Form):
    status = forms.ChoiceField(label=_("Decision"), choices=TraffickingStatus.choices)
    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class NameSearchForm(forms.Form):
    name = forms.CharField(
        label=_("Find by name"),
        max_length=200,
        help_text=_("The full name or the family name, spelled any way (č or c, capitals)."),
    )


class BreakGlassForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=24,
        help_text=_("Exactly as it was given to you, e.g. RS-2026-7K2Q9D."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    reason = forms.CharField(
        label=_("Why you need this case now"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "At least 20 characters. The national coordinator and the organisation responsible "
            "for the case will read it. Do not write the person's name or other details that "
            "identify them."
        ),
    )
    hours = forms.TypedChoiceField(
        label=_("For how long"),
        coerce=int,
        choices=[(1, _("1 hour")), (4, _("4 hours")), (8, _("8 hours"))],
        initial=1,
    )
