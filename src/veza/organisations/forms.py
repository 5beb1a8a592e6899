from django import forms
from django.utils.translation import gettext_lazy as _

from veza.organisations.choices import Sector

__all__ = ["OrganisationFilterForm"]


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    participant = forms.ChoiceField(label=_("Participant"), required=False)
    sector = forms.ChoiceField(
        label=_("Sector"), required=False, choices=[("", _("All sectors")), *Sector.choices]
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [("", _("All participants"))] + [
            (p.code, str(p)) for p in participants
        ]
