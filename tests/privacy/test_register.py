"""The retention register: checked on load, covering every model, rendered as the record of
processing activities (GDPR art. 30) that docs/records-of-processing.md holds."""

from __future__ import annotations

import datetime as dt
from datetime import UTC
from pathlib import Path

import pytest

from veza.privacy.register import Period, RegisterError, load_register, model_coverage
from veza.privacy.retention import PURGERS
from veza.privacy.ropa import register_csv, register_markdown

ROOT = Path(__file__).resolve().parents[2]
NATIONAL = {"AL", "BA", "ME", "MK", "RS", "XK"}


def test_the_shipped_register_loads_and_is_marked_as_a_proposal():
    register = load_register()
    assert register.status == "proposal"
    assert set(register.participants) == NATIONAL
    assert not any(p["confirmed"] for p in register.participants.values())
    for item in register.classes:
        assert set(item.overrides) == NATIONAL, item.code
        assert item.source, item.code
    assert {c.code for c in register.purged} == set(PURGERS)


def test_every_model_is_in_exactly_one_class_or_declared_free_of_personal_data():
    missing, twice = model_coverage(load_register())
    assert missing == [], f"add these models to a class of retention.yaml: {missing}"
    assert twice == []


def test_the_classes_the_task_names_are_all_there():
    codes = {c.code for c in load_register().classes}
    assert {
        "case_identity",
        "case",
        "consents",
        "screenings",
        "referrals",
        "interpreter_bookings",
        "interpreter_profiles",
        "federation_packets",
        "cross_border_referrals",
        "submission_imports",
        "notifications",
        "user_accounts",
        "sessions",
        "api_tokens",
        "audit_log",
        "aggregate_releases",
    } <= codes


def test_the_audit_log_is_kept_with_a_reason():
    audit = load_register().get("audit_log")
    assert audit.action == "keep" and "hash-chained" in audit.action_text
    assert "audit_log" not in PURGERS


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda t: t.replace("period: 5 years", "period: five years", 1), "is not 'N days'"),
        (
            lambda t: t.replace("models: [cases.Identity]", "models: [cases.Nobody]"),
            "no model cases.Nobody",
        ),
        (
            lambda t: t.replace(
                "models: [cases.Consent]", "models: [cases.Consent, cases.Identity]"
            ),
            "cases.Identity is already in case_identity",
        ),
        (
            lambda t: t.replace(
                "action: erase\n    erase: The identity", "action: shred\n    erase: The identity"
            ),
            "must be erase, anonymise or keep",
        ),
        (
            lambda t: t.replace("runs_from: case_closed", "runs_from: whenever", 1),
            "runs_from: must be one of",
        ),
        (
            # The AL consents outlive the AL cases.
            lambda t: t.replace(
                "{AL: 5 years, BA: 5 years, ME: 5 years, MK: 5 years, RS: 5 years, XK: 5 years}\n"
                "    source: [gdpr, c108]\n\n  - code: referrals",
                "{AL: 9 years, BA: 5 years, ME: 5 years, MK: 5 years, RS: 5 years, XK: 5 years}\n"
                "    source: [gdpr, c108]\n\n  - code: referrals",
            ),
            "classes (consents): 9 years for AL is longer than the case's 5 years",
        ),
        (
            lambda t: t.replace("  - code: sessions", "  - code: naps"),
            "no purge rule for the class naps",
        ),
        (
            lambda t: t.replace("  - code: sessions", "  - code: naps"),
            "the class sessions is missing",
        ),
        (lambda t: t.replace("RS: 1 day", "QQ: 1 day"), "overrides.QQ: not a participant"),
        (
            lambda t: t.replace("    confirmed: false", "    confirmed: maybe", 1),
            "confirmed: must be",
        ),
        (
            lambda t: t + "  cases.Case: pseudonymous\n",
            "not_personal: cases.Case is also in the class case",
        ),
        (lambda t: t.replace("status: proposal", "status: draft"), "status: must be"),
    ],
)
def test_a_broken_register_is_refused_with_a_clear_message(register_file, edit, problem):
    path = register_file(edit)
    with pytest.raises(RegisterError) as caught:
        load_register(path)
    assert problem in str(caught.value)
    assert str(caught.value).startswith("retention.yaml: ")


def test_the_command_refuses_a_broken_register(register_file, db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    register_file(lambda t: t.replace("period: 1 day", "period: a while"))
    with pytest.raises(CommandError, match=r"register is not valid.*'a while'"):
        call_command("retention", "purge", "--dry-run")


@pytest.mark.parametrize(
    ("text", "moment", "expected"),
    [
        ("5 years", dt.datetime(2031, 4, 20, tzinfo=UTC), dt.datetime(2026, 4, 20, tzinfo=UTC)),
        ("1 month", dt.datetime(2026, 3, 31, tzinfo=UTC), dt.datetime(2026, 2, 28, tzinfo=UTC)),
        ("1 year", dt.datetime(2028, 2, 29, tzinfo=UTC), dt.datetime(2027, 2, 28, tzinfo=UTC)),
        ("90 days", dt.datetime(2026, 4, 1, tzinfo=UTC), dt.datetime(2026, 1, 1, tzinfo=UTC)),
        ("13 months", dt.datetime(2026, 1, 15, tzinfo=UTC), dt.datetime(2024, 12, 15, tzinfo=UTC)),
    ],
)
def test_periods_count_calendar_months_and_years(text, moment, expected):
    assert Period.parse(text).before(moment) == expected


@pytest.mark.parametrize("text", ["5", "five years", "5 weeks", "-1 days", "", None, 5])
def test_a_period_must_say_days_months_or_years(text):
    assert Period.parse(text) is None


def test_the_record_of_processing_in_docs_is_up_to_date():
    committed = (ROOT / "docs" / "records-of-processing.md").read_text("utf-8")
    assert committed == register_markdown(load_register()), (
        "regenerate it: veza retention register --out docs/records-of-processing.md"
    )


def test_the_record_of_processing_has_what_article_30_asks_for():
    text = register_markdown(load_register())
    for needed in (
        "## Controllers",
        "## Transfers",
        "## Security measures",
        "docs/security.md",
        "**Purpose:**",
        "**Data subjects:**",
        "**Personal data:**",
        "**Recipients:**",
        "**Time limit:**",
        "RS 5 years (proposed)",
        "Status: proposal",
    ):
        assert needed in text
    rows = register_csv(load_register()).splitlines()
    assert rows[0].startswith("code,name,purpose,legal_basis")
    assert len(rows) == 1 + len(load_register().classes)


def test_the_register_command_writes_markdown_and_csv(tmp_path, db, capsys):
    from django.core.management import call_command

    call_command("retention", "register", "--format", "csv", "--out", str(tmp_path / "r.csv"))
    assert (tmp_path / "r.csv").read_text("utf-8").startswith("code,name")
    call_command("retention", "register")
    assert "\n# Record of processing activities" in capsys.readouterr().out
