from django import forms
from django.utils.translation import gettext_lazy as _

from veza.referrals.choices import ServiceType, TargetGroup, Urgency

__all__ = ["DeclineForm", "DirectoryFilterForm", "ReferralForm", "ServiceForm"]

FIELD_LABELS = {
    "is_child": _("Child or not"),
    "sex": _("Sex"),
    "age": _("Age"),
    "citizenship": _("Citizenship"),
    "exploitation": _("Forms of exploitation"),
    "control_methods": _("Methods of control"),
    "trafficking_status": _("Trafficking status"),
    "screening_outcome": _("Screening outcome"),
    "given_names": _("Given names (identity)"),
    "family_name": _("Family name (identity)"),
    "date_of_birth": _("Date of birth (identity)"),
    "languages": _("Languages spoken (identity)"),
    "contacts": _("Safe contacts (identity)"),
    "documents": _("Identity documents (identity)"),
}


class DirectoryFilterForm(forms.Form):
    service_type = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("All services")), *ServiceType.choices]
    )
    target_group = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Anyone")), *TargetGroup.choices]
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=40)
    free_places = forms.BooleanField(label=_("Free places now"), required=False)
    emergency = forms.BooleanField(label=_("Day and night"), required=False)


class ServiceForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Who it is for"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_("Comma-separated, e.g. Serbian, English, Arabic."),
    )
    area = forms.CharField(label=_("Area served"), required=False, max_length=200)
    opening_hours = forms.CharField(label=_("Opening hours"), required=False, max_length=200)
    emergency = forms.BooleanField(
        label=_("Available in emergencies, day and night"), required=False
    )
    capacity_total = forms.IntegerField(label=_("Places in all"), required=False, min_value=0)
    capacity_free = forms.IntegerField(label=_("Free places now"), required=False, min_value=0)
    is_active = forms.BooleanField(label=_("Offered now"), required=False, initial=True)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["languages"] = [x.strip() for x in data["languages"].split(",") if x.strip()]
        return data


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("Service"))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.URGENT)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person needs from this service. Write no name here."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=_("What the receiving organisation may see"),
        required=False,
        choices=list(FIELD_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only what they need. Identity fields also need the person's consent to "
            "share data with them."
        ),
    )
    override_reason = forms.CharField(
        label=_("Reason to refer without recorded consent"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only if consent cannot be asked now (for example immediate danger). "
            "Recorded and reviewed."
        ),
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [
            (
                str(s.pk),
                f"{s.organisation.name} — {s.get_service_type_display()}"
                + (f" ({s.capacity_free} free)" if s.capacity_free is not None else ""),
            )
            for s in services
        ]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline?"), widget=forms.Textarea(attrs={"rows": 3})
    )
