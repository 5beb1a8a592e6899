from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = ["AdoptForm", "ImportForm"]

MAX_UPLOAD = 2 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Content file"),
        help_text=_(
            "A YAML file in Veza's format, or an XLSX workbook with a 'set' sheet (id, version, "
            "title, kind, provenance, age_groups, exploitation, source) and an 'indicators' sheet "
            "(id, dimension, strength, text, provenance, source, note). At most 2 MB."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        if not upload.name.lower().endswith((".yaml", ".yml", ".xlsx")):
            raise forms.ValidationError(_("Upload a .yaml or .xlsx file."))
        return upload


class AdoptForm(forms.Form):
    participant = forms.ChoiceField(label=_("Adopt for"))
    note = forms.CharField(
        label=_("Note (decision, date, reference)"), max_length=300, required=False
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].choices = [(p.code, str(p)) for p in participants]
