"""The retention register rendered as the record of processing activities (GDPR art. 30(1)):
Markdown for docs/records-of-processing.md, or CSV for a spreadsheet. Deterministic, so that a
test can regenerate it and compare."""

from __future__ import annotations

import csv
import io

from veza.privacy.register import Register

__all__ = ["EVENT_LABELS", "register_csv", "register_markdown"]

EVENT_LABELS = {
    "case_closed": "after the case was closed",
    "screening_done_without_case": "after a screening without a case was completed (a draft: "
    "its last change)",
    "booking_ended": "after the booked time ended",
    "profile_deactivated": "after the profile was deactivated",
    "packet_done": "after the packet was delivered, processed or expired (refused: received)",
    "imported": "after the import",
    "created": "after it was made",
    "account_deactivated": "after the account was deactivated (last login)",
    "expired": "after it expired",
    "revoked_or_expired": "after it was revoked or expired",
    "finished": "after the task finished",
    "written": "after the entry was written",
    "released": "after the release",
}
TRANSFERS = {
    "cross_border_referrals": "to the receiving participant's Veza instance, inside a signed "
    "packet encrypted to it, with the person's consent",
    "aggregate_releases": "to the regional hub: protected aggregates only",
}
SOURCE_DOC = "src/veza/data/privacy/retention.yaml"
COMMAND = "veza retention register --format md --out docs/records-of-processing.md"


def _status(register: Register, code: str) -> str:
    confirmed = register.participants.get(code, {}).get("confirmed")
    return "confirmed by the DPO" if confirmed else "proposed"


def _md_escape(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def register_markdown(register: Register) -> str:
    lines = [
        "# Record of processing activities (GDPR art. 30(1))",
        "",
        f"Generated from `{SOURCE_DOC}` by `{COMMAND}`. Do not edit by hand: change the",
        "register and generate again (a test checks that this file is up to date).",
        "",
    ]
    if register.status != "confirmed":
        lines += [
            "**Status: proposal.** Every period below is a proposal until the data protection",
            "officer of each participant confirms it (`confirmed: true` in the register).",
            "",
        ]
    lines += [
        "## Controllers",
        "",
        "Each participant runs its own national instance and is the controller of its data.",
        "",
        "| participant | controller | data protection officer | law | supervisory authority "
        "| periods |",
        "|---|---|---|---|---|---|",
    ]
    for code, entry in register.participants.items():
        lines.append(
            f"| {code} | {_md_escape(entry['controller'])} | {_md_escape(entry['dpo'])} | "
            f"{_md_escape(entry['law'])} | {_md_escape(entry['supervisory_authority'])} | "
            f"{_status(register, code)} |"
        )
    lines += [
        "",
        "## Transfers",
        "",
        _md_escape(register.transfers),
        "",
        "## Security measures (art. 32)",
        "",
        _md_escape(register.security_measures),
        "See [docs/security.md](security.md).",
        "",
        "## Processing activities",
        "",
    ]
    participants = list(register.participants)
    for item in register.classes:
        if item.action == "keep":
            limit = f"kept ({item.period} {EVENT_LABELS[item.runs_from]}, not purged)"
        else:
            limit = f"{item.period} {EVENT_LABELS[item.runs_from]}, then {item.action}d"
        per_participant = ", ".join(
            f"{code} {item.period_for(code)} ({_status(register, code)})" for code in participants
        )
        lines += [
            f"### {item.name} (`{item.code}`)",
            "",
            f"- **Records:** {_md_escape(item.holds)}",
            f"- **Purpose:** {_md_escape(item.purpose)}",
            f"- **Legal basis:** {_md_escape(item.legal_basis)}",
            f"- **Data subjects:** {'; '.join(item.data_subjects)}",
            f"- **Personal data:** {'; '.join(item.data_categories)}",
            f"- **Recipients:** {'; '.join(item.recipients)}",
            f"- **Transfers:** {TRANSFERS.get(item.code, 'none')}",
            f"- **Time limit:** {limit}",
            f"- **Per participant:** {per_participant}",
            f"- **At the end:** {_md_escape(item.action_text)}",
            f"- **Models:** {', '.join(f'`{m}`' for m in item.models)}",
        ]
        if item.source:
            lines.append(
                "- **Sources:** " + "; ".join(_md_escape(register.sources[s]) for s in item.source)
            )
        lines.append("")
    return "\n".join(lines)


def register_csv(register: Register) -> str:
    participants = list(register.participants)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "code",
            "name",
            "purpose",
            "legal_basis",
            "data_subjects",
            "data_categories",
            "recipients",
            "transfers",
            "period",
            "runs_from",
            "action",
            "at_the_end",
            *[f"period_{code}" for code in participants],
            "status",
            "models",
        ]
    )
    for item in register.classes:
        writer.writerow(
            [
                item.code,
                item.name,
                _md_escape(item.purpose),
                _md_escape(item.legal_basis),
                "; ".join(item.data_subjects),
                "; ".join(item.data_categories),
                "; ".join(item.recipients),
                TRANSFERS.get(item.code, "none"),
                str(item.period),
                item.runs_from,
                item.action,
                _md_escape(item.action_text),
                *[str(item.period_for(code)) for code in participants],
                register.status,
                " ".join(item.models),
            ]
        )
    return out.getvalue()
