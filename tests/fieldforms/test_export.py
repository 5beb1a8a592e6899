"""The XLSForm export: every questionnaire in every language converts with pyxform (the
converter of ODK and KoboToolbox) without a warning, asks no identity, and keeps the
questionnaire's skip logic."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from tests.factories import login_verified, make_organisation, make_user
from tests.fieldforms.exports import form_fields
from veza.fieldforms.export import form_export
from veza.fieldforms.xlsform import FORM_LANGUAGES
from veza.indicators.models import Questionnaire
from veza.organisations.models import Participant

CODES = sorted(
    {
        "quick",
        "police",
        "border_asylum_reception",
        "social_welfare",
        "health",
        "labour_inspection",
        "employment_services",
        "education",
        "shelter_protection",
        "cso_outreach",
    }
)
IDENTITY = ("name", "surname", "first_name", "last_name", "birth", "passport", "phone", "address")


def test_every_questionnaire_is_shipped(db):
    assert set(Questionnaire.objects.filter(builtin=True).values_list("code", flat=True)) == set(
        CODES
    )


@pytest.mark.parametrize("language", list(FORM_LANGUAGES))
@pytest.mark.parametrize("code", CODES)
def test_every_questionnaire_in_every_language_converts_with_pyxform(db, code, language):
    made = form_export(
        participant=Participant.objects.get(code="RS"), questionnaire_code=code, language=language
    )
    result = convert(xlsform=io.BytesIO(made.content), file_type=".xlsx", validate=False)
    assert result.warnings == []
    xform = result.xform
    assert "<h:title>" in xform and 'jr:preload="uid"' in xform  # an instance id per submission
    for name, label in FORM_LANGUAGES.values():
        assert f'<translation lang="{name} ({label})"' in xform or (
            f'<translation default="true()" lang="{name} ({label})"' in xform
        )
    fields, hidden = form_fields(made.content)
    assert hidden["veza_questionnaire"] == code
    assert hidden["veza_questionnaire_version"].isdigit()
    assert "veza-default@" in hidden["veza_rule"] and "@" in hidden["veza_sets"]
    names = [name for _groups, name, _kind in fields]
    assert not [n for n in names if any(word in n.lower() for word in IDENTITY)]
    assert "veza_reference" in names


def test_the_form_keeps_the_skip_logic_and_the_default_language(db):
    made = form_export(participant=None, questionnaire_code="health", language="mk")
    book = load_workbook(io.BytesIO(made.content), read_only=True)
    survey = list(book["survey"].iter_rows(values_only=True))
    header = survey[0]
    rows = {r[header.index("name")]: dict(zip(header, r, strict=False)) for r in survey[1:]}
    # by age group: a child, or a person whose age is unknown and who may be a child
    assert rows["child_alone"]["relevant"] == (
        "${age__unknown} = 'unknown_child' or (${age__unknown} = 'known' and ${age} < 18)"
    )
    # the years only when the age is known, within 0-120
    assert rows["age"]["relevant"] == "${age__unknown} = 'known'"
    assert rows["age"]["constraint"] == ". >= 0 and . <= 120"
    assert rows["age__unknown"]["required"] == "yes"
    # in Macedonian first; the other languages are there too
    settings = dict(zip(*book["settings"].iter_rows(values_only=True), strict=False))
    assert settings["default_language"] == "Македонски (mk)"
    assert settings["form_id"] == "veza_health_all"
    assert rows["danger_now"]["label::Македонски (mk)"] != rows["danger_now"]["label::English (en)"]


def test_skip_logic_on_earlier_answers_and_forms_of_exploitation(db):
    made = form_export(participant=None, questionnaire_code="cso_outreach", language="en")
    survey = list(
        load_workbook(io.BytesIO(made.content), read_only=True)["survey"].iter_rows(
            values_only=True
        )
    )
    header = survey[0]
    relevant = {r[header.index("name")]: r[header.index("relevant")] for r in survey[1:]}
    narrow = [v for v in relevant.values() if v and "'begging_criminality')" in v]
    assert "selected(${exploitation}, 'begging_criminality')" in narrow
    broad = [v for v in relevant.values() if v and v.startswith("count-selected(${exploitation})")]
    assert broad and "selected(${exploitation}, 'unsure')" in broad[0]
    made = form_export(participant=None, questionnaire_code="education", language="en")
    survey = list(
        load_workbook(io.BytesIO(made.content), read_only=True)["survey"].iter_rows(
            values_only=True
        )
    )
    header = survey[0]
    relevant = [r[header.index("relevant")] for r in survey[1:]]
    assert "selected(${offer}, 'abroad') or selected(${offer}, 'in_country')" in relevant


def test_unknown_questionnaire_or_language_is_refused(db):
    from veza.core.errors import ValidationError

    with pytest.raises(ValidationError):
        form_export(participant=None, questionnaire_code="nope", language="en")
    with pytest.raises(ValidationError):
        form_export(participant=None, questionnaire_code="quick", language="xx")


def test_the_command_writes_the_form(db, tmp_path, capsys):
    out = tmp_path / "quick.xlsx"
    call_command(
        "forms",
        "export",
        "--questionnaire",
        "quick",
        "--lang",
        "sq",
        "--out",
        str(out),
        "--participant",
        "AL",
    )
    assert "checked with pyxform" in capsys.readouterr().out
    _fields, hidden = form_fields(out.read_bytes())
    assert hidden["veza_questionnaire"] == "quick"


def test_the_page_downloads_the_form(client, db):
    organisation = make_organisation("MK", sector="border_asylum_reception")
    login_verified(client, make_user(role="frontline_professional", organisation=organisation))
    page = client.get(reverse("fieldforms:index"))
    assert page.status_code == 200 and "XLSForm" in page.content.decode()
    response = client.get(
        reverse("fieldforms:export"), {"questionnaire": "quick", "language": "mk"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="veza-quick-mk-mk-')
    _fields, hidden = form_fields(response.content)
    assert hidden["veza_questionnaire"] == "quick"
    bad = client.get(reverse("fieldforms:export"), {"questionnaire": "quick", "language": "xx"})
    assert bad.status_code == 400
