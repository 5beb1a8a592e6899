from django import forms
from django.utils.translation import gettext_lazy as _

from veza.core.uploads import UploadField

__all__ = ["AdoptForm", "ImportForm"]


class ImportForm(forms.Form):
    file = UploadField(
        kinds=("yaml", "xlsx"),
        max_mb=2,
        label=_("Content file"),
        help_text=_(
            "A YAML file in Veza's format, or an XLSX workbook with a 'set' sheet (id, version, "
            "title, kind, provenance, age_groups, exploitation, source) and an 'indicators' sheet "
            "(id, dimension, strength, text, provenance, source, note). At most 2 MB."
        ),
    )


class AdoptForm(forms.Form):
    participant = forms.ChoiceField(label=_("Adopt for"))
    note = forms.CharField(
        label=_("Note (decision, date, reference)"), max_length=300, required=False
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(p.code, str(p)) for p in participants]
