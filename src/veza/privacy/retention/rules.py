"""The purge rule of each class of the retention register: per model, which records ran out
and what happens to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models

from veza.privacy.retention.anonymise import (
    _anonymising,
    _case_anonymise,
    _consent_anonymise,
    _cross_border_anonymise,
    _delete,
    _interpreter_anonymise,
    _referral_anonymise,
    _screening_anonymise,
    _user_anonymise,
)
from veza.privacy.retention.candidates import (
    _admin_history,
    _attempts,
    _bookings,
    _cases,
    _certificates,
    _consents,
    _cross_border,
    _enrolments,
    _identity,
    _imports,
    _notifications,
    _packets,
    _profiles,
    _referrals,
    _rejected_packets,
    _screenings,
    _sessions,
    _tasks,
    _throttles,
    _tokens,
    _users,
)

__all__ = ["PURGERS", "Purger"]


@dataclass(frozen=True)
class Part:
    """One model of a class: the records that ran out for a participant, and what to do."""

    model: Callable[[], type[models.Model]]
    candidates: Callable[[str, datetime, datetime], models.QuerySet]  # participant, cutoff, now
    apply: Callable[[models.Model, datetime], None]


@dataclass(frozen=True)
class Purger:
    action: str
    parts: tuple[Part, ...]


def _model(label: str):
    def get():
        from django.apps import apps

        return apps.get_model(label)

    return get


PURGERS: dict[str, Purger] = {
    "case_identity": Purger("erase", (Part(_model("cases.Identity"), _identity, _delete),)),
    "consents": Purger(
        "anonymise",
        (Part(_model("cases.Consent"), _consents, _anonymising("consents", _consent_anonymise)),),
    ),
    "referrals": Purger(
        "anonymise",
        (
            Part(
                _model("referrals.Referral"),
                _referrals,
                _anonymising("referrals", _referral_anonymise),
            ),
        ),
    ),
    "cross_border_referrals": Purger(
        "anonymise",
        (
            Part(
                _model("federation.CrossBorderReferral"),
                _cross_border,
                _anonymising("cross_border_referrals", _cross_border_anonymise),
            ),
        ),
    ),
    "case": Purger(
        "anonymise", (Part(_model("cases.Case"), _cases, _anonymising("case", _case_anonymise)),)
    ),
    "screenings": Purger(
        "anonymise",
        (
            Part(
                _model("screening.Screening"),
                _screenings,
                _anonymising("screenings", _screening_anonymise),
            ),
        ),
    ),
    "interpreter_bookings": Purger(
        "erase", (Part(_model("interpreters.InterpreterRequest"), _bookings, _delete),)
    ),
    "interpreter_profiles": Purger(
        "anonymise",
        (
            Part(
                _model("interpreters.Interpreter"),
                _profiles,
                _anonymising("interpreter_profiles", _interpreter_anonymise),
            ),
        ),
    ),
    "federation_packets": Purger(
        "erase",
        (
            Part(_model("federation.Packet"), _packets, _delete),
            Part(_model("federation.RejectedPacket"), _rejected_packets, _delete),
        ),
    ),
    "submission_imports": Purger(
        "erase", (Part(_model("fieldforms.SubmissionImport"), _imports, _delete),)
    ),
    "notifications": Purger(
        "erase", (Part(_model("referrals.Notification"), _notifications, _delete),)
    ),
    "training_records": Purger(
        "erase",
        (
            Part(_model("training.Enrolment"), _enrolments, _delete),
            Part(_model("training.PracticeAttempt"), _attempts, _delete),
            Part(_model("training.Certificate"), _certificates, _delete),
        ),
    ),
    "user_accounts": Purger(
        "anonymise",
        (Part(_model("core.User"), _users, _anonymising("user_accounts", _user_anonymise)),),
    ),
    "sessions": Purger(
        "erase",
        (
            Part(_model("sessions.Session"), _sessions, _delete),
            Part(_model("core.LoginThrottle"), _throttles, _delete),
        ),
    ),
    "api_tokens": Purger("erase", (Part(_model("core.ApiToken"), _tokens, _delete),)),
    "background_tasks": Purger(
        "erase", (Part(_model("django_tasks_database.DBTaskResult"), _tasks, _delete),)
    ),
    "admin_history": Purger("erase", (Part(_model("admin.LogEntry"), _admin_history, _delete),)),
}
