"""The form that switches an area into emergency mode."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.organisations.models import EmergencyArea

__all__ = ["AreaForm"]


class AreaForm(forms.Form):
    # Name and organisations are checked by the service, whose words explain what is missing.
    name = forms.CharField(
        label=_("Name of the area"),
        max_length=EmergencyArea._meta.get_field("name").max_length,
        required=False,
        help_text=_("Where people arrive, e.g. Southern border and Preševo reception centre."),
    )
    organisations = forms.MultipleChoiceField(
        label=_("Organisations working in the area"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Reason (optional)"),
        max_length=EmergencyArea._meta.get_field("note").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A short reason, e.g. about 400 people arrived overnight. Never a name."),
    )

    def __init__(self, *args, organisations, participants, **kwargs):
        """`organisations`: (id, label) of the choosable organisations; `participants`: (id,
        name) of the coordinator's participants (a choice only when there are several)."""
        super().__init__(*args, **kwargs)
        self.fields["organisations"].choices = [(str(pk), label) for pk, label in organisations]
        if len(participants) > 1:
            self.fields["participant"] = forms.TypedChoiceField(
                label=_("Participant"), choices=participants, coerce=int
            )
            self.order_fields(["participant", "name", "organisations", "note"])
