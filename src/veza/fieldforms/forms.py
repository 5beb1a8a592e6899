from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from veza.core.uploads import UploadField
from veza.fieldforms.submissions import MAX_BYTES

__all__ = ["ExportForm", "ImportForm"]


class ExportForm(forms.Form):
    questionnaire = forms.ChoiceField(label=_("Questionnaire"))
    language = forms.ChoiceField(
        label=_("Language shown first"),
        help_text=_("The form carries every language; the person using it can switch."),
    )

    def __init__(self, *args, questionnaires=(), languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = list(questionnaires)
        self.fields["language"].choices = list(languages)


class ImportForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Organisation"),
        coerce=int,
        help_text=_("The screenings become this organisation's; urgent ones go on its worklist."),
    )
    file = UploadField(
        kinds=("csv", "json"),
        max_mb=MAX_BYTES // (1024 * 1024),
        label=_("Exported submissions (CSV or JSON)"),
        help_text=_("From ODK Central or KoboToolbox. At most 10 MB and 5000 submissions."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, str(o)) for o in organisations]
