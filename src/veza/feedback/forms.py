"""The worker's choice of what a feedback link is for (read from the query string: making a link
writes nothing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.referrals.choices import ServiceType

__all__ = ["OfferForm"]


class OfferForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    service_type = forms.ChoiceField(
        label=_("Service the person received"),
        choices=[("", _("Choose a service type")), *ServiceType.choices],
    )

    def __init__(self, data=None, *, organisations):
        super().__init__(data)
        several = len({o.participant_id for o in organisations}) > 1
        self.fields["organisation"].choices = [
            (o.pk, f"{o.name} ({o.participant.code})" if several else o.name) for o in organisations
        ]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
