"""Scale data, part 5b: interpreter requests at national scale, from the pool of part 5a
(`veza.interpreters.scale_pool`). About 8 % of the cases (a fifth of those of people from
abroad) get an interpreter request in the person's languages, with bookings in every state the
workflow knows. The interpreters, requests, bookings, feedback and notices are written as the
services (`veza.interpreters.services`) would have written them, with their versions, and one
audit entry for each service call they stand for. The pool holds no sealed field: a request
names the case by its pseudonymous code only.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from veza.core.bulk import bulk_insert, insert_objects
from veza.interpreters.models import (
    HOLDING,
    Booking,
    BookingStatus,
    Feedback,
    InterpreterRequest,
    RequestStatus,
    Setting,
)
from veza.interpreters.scale_pool import PEOPLE_LANGUAGES
from veza.referrals.models import Notification

__all__ = ["REQUEST_SHARE_ABROAD", "scale_interpreter_requests"]

#: Share of the cases of people from abroad with an interpreter request (~8 % of all cases).
REQUEST_SHARE_ABROAD = 0.21
#: The setting of an interpreted meeting, by the requesting organisation's sector.
SETTINGS = {
    "police": [(Setting.POLICE_INTERVIEW, 80), (Setting.COURT, 20)],
    "border_asylum_reception": [(Setting.POLICE_INTERVIEW, 50), (Setting.IDENTIFICATION, 50)],
    "identification_body": [(Setting.IDENTIFICATION, 100)],
    "health": [(Setting.MEDICAL, 100)],
    "shelter_protection": [(Setting.SHELTER, 70), (Setting.COUNSELLING, 30)],
    "social_welfare": [(Setting.COUNSELLING, 70), (Setting.COURT, 15), (Setting.OTHER, 15)],
    "cso_outreach": [(Setting.COUNSELLING, 80), (Setting.OTHER, 20)],
    "labour_inspection": [(Setting.LABOUR_INSPECTION, 100)],
}
#: What became of a request whose time has passed, and of one still to come (with shares).
PAST = [
    ("done", 65),
    ("declined, then done", 12),
    ("cancelled, then done", 8),
    ("no-show", 5),
    ("request cancelled", 5),
    ("nobody found", 5),
]
UPCOMING = [("proposed", 30), ("confirmed", 45), ("declined, waiting", 10), ("open", 15)]
#: Notices are made for what happened in the last 90 days; those older than a week are read.
NOTIFY_DAYS, READ_AFTER_DAYS = 90, 7
NOTES = ["Not available at that time.", "Too far to travel that day.", "A conflict of interest."]


def _pick(x: float, items: list):
    return items[min(int(x * len(items)), len(items) - 1)]


def _candidates(pool, languages, target, level, start, end, *, remote, upcoming):
    """The interpreters who could take the request: one of the languages at the level, the
    target language among theirs, working remotely or on site as asked; for a coming request,
    free and available at that time."""
    seen, found = set(), []
    for language in languages:
        for interpreter, proficiency in pool["speakers"].get(language, []):
            if interpreter.pk in seen or proficiency < level:
                continue
            if target not in interpreter.target_languages:
                continue
            if not (interpreter.remote if remote else interpreter.on_site):
                continue
            if upcoming:
                if any(s < end and e > start for s, e in pool["held"].get(interpreter.pk, [])):
                    continue
                windows = pool["available"].get(interpreter.pk, [])
                if not any(s <= start and e >= end for s, e in windows):
                    continue
            seen.add(interpreter.pk)
            found.append(interpreter)
    return found


def _draw(rng) -> dict:
    return {
        "asks": rng.random(),
        "language": rng.random(),
        "second": rng.random(),
        "target": rng.random(),
        "upcoming": rng.random(),
        "days": rng.random(),
        "hour": rng.randint(8, 15),
        "minute": rng.choice([0, 15, 30, 45]),
        "hours": rng.choice([1, 1, 2, 2, 2, 3, 4]),
        "lead_hours": rng.uniform(1, 72),
        "remote": rng.random() < 0.3,
        "urgent": rng.random() < 0.15,
        "gender": rng.random(),
        "setting": rng.random(),
        "level": 3 if rng.random() < 0.2 else 4,
        "scenario": rng.random(),
        "first": rng.random(),
        "other": rng.random(),
        "delays": [rng.uniform(0.1, 1.0) for _ in range(6)],
        "note": rng.choice(NOTES),
        "feedback": rng.random(),
        "quality": rng.choice([3, 4, 4, 5, 5]),
        "neutral": rng.random() < 0.95,
        "concern": rng.random() < 0.02,
    }


def _cumulative(pairs, x: float):
    total, upto = sum(w for _p, w in pairs), 0.0
    for value, weight in pairs:
        upto += weight / total
        if x < upto:
            return value
    return pairs[-1][0]


def _when(run, case, draw):
    """(start, end, upcoming) of the interpreted meeting, or None when the case leaves no time."""
    duration = timedelta(hours=draw["hours"])
    opened = case.created_at
    if case.closed_at is None and (draw["upcoming"] < 0.3 or run.now - opened < timedelta(days=2)):
        day = timezone.localdate(run.now) + timedelta(days=1 + int(draw["days"] * 14))
        day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
        start = timezone.make_aware(datetime.combine(day, time(draw["hour"], draw["minute"])))
        return start, start + duration, True
    limit = (case.closed_at or run.now) - timedelta(hours=1)
    span = min(limit - opened, timedelta(days=60)) - duration - timedelta(hours=2)
    if span <= timedelta(0):
        return None
    day = timezone.localdate(opened + timedelta(hours=2) + span * draw["days"])
    start = timezone.make_aware(datetime.combine(day, time(draw["hour"], draw["minute"])))
    start = min(max(start, opened + timedelta(hours=2)), limit - duration)
    return start, start + duration, False


def scale_interpreter_requests(batch) -> None:
    run = batch.run
    rng = batch.rng("interpreters")
    pool = run.shared["interpreting"]
    cases = batch.records["case_by_index"]
    planned = []
    for index in batch.indices():
        draw = _draw(rng)  # drawn for every case of the batch, written or not (see core.scale)
        case = cases.get(index)
        if case is None or case.citizenship not in PEOPLE_LANGUAGES:
            continue
        if draw["asks"] < REQUEST_SHARE_ABROAD:
            planned.append((case, draw))
    requests, bookings, feedback, notes = [], [], [], []
    for case, draw in planned:
        made = _request(run, pool, case, draw)
        if made is not None:
            requests.append(made[0])
            bookings += made[1]
            feedback += made[2]
            notes += made[3]
    insert_objects(InterpreterRequest, [r for r, _log in requests])
    insert_objects(Booking, [b for b, _log in bookings])
    bulk_insert(Feedback, [f for f, _log in feedback])
    bulk_insert(Notification, notes)
    for obj, log in requests + bookings + feedback:
        for action, actor, organisation_id, detail in log:
            if action == "interpreter.booking_propose":
                detail = {**detail, "request": obj.request_id}
            target = obj.booking if isinstance(obj, Feedback) else obj
            batch.log(
                action, actor=actor, obj=target, organisation_id=organisation_id, detail=detail
            )
    run.count("interpreter requests", len(requests))
    run.count("bookings", len(bookings))
    run.count("interpreter feedback", len(feedback))
    run.count("notifications", len(notes))


def _request(run, pool, case, draw):
    """The request of one case, its bookings, feedback and notices, each with the audit entries
    of the service calls that made it: (request, log), [(booking, log)], [(feedback, log)],
    [notification]."""
    when = _when(run, case, draw)
    if when is None:
        return None
    start, end, upcoming = when
    options = PEOPLE_LANGUAGES[case.citizenship]
    first = _cumulative(options, draw["language"])
    languages = [first]
    rest = [x for x, _w in options if x != first]
    if rest and draw["second"] < 0.3:
        languages.append(_pick(draw["second"] / 0.3, rest))
    target = pool["official"] if draw["target"] < 0.9 or first == "eng" else "eng"
    requester = case.created_by
    coordinator = pool["coordinator"]
    sector = case.organisation.sector
    female = case.sex == "female"
    sexual = "sexual_exploitation" in (case.exploitation or [])
    gender_required = "female" if female and sexual and draw["gender"] < 0.5 else ""
    gender_preferred = "female" if female and not gender_required and draw["gender"] < 0.7 else ""
    created = max(start - timedelta(hours=draw["lead_hours"]), case.created_at)
    if upcoming:
        created = max(run.now - timedelta(hours=draw["lead_hours"]), case.created_at)
    created = min(created, run.now, start)
    request = InterpreterRequest(
        requester=requester,
        organisation=case.organisation,
        participant=case.participant,
        reference=case.code,
        languages=languages,
        target_language=target,
        start=start,
        end=end,
        remote=draw["remote"],
        place="" if draw["remote"] else case.organisation.name,
        urgent=draw["urgent"],
        gender_required=gender_required,
        gender_preferred=gender_preferred,
        setting=_cumulative(SETTINGS.get(sector, [(Setting.OTHER, 1)]), draw["setting"]),
        trafficking_related=True,
        min_proficiency=draw["level"],
        created_at=created,
        updated_at=created,
    )
    request_log = [
        (
            "interpreter.request",
            requester,
            case.organisation_id,
            {"languages": languages, "setting": request.setting, "urgent": request.urgent},
        )
    ]
    scenario = _cumulative(UPCOMING if upcoming else PAST, draw["scenario"])
    found = _candidates(
        pool,
        languages,
        target,
        request.min_proficiency,
        start,
        end,
        remote=request.remote,
        upcoming=upcoming,
    )
    if gender_required:
        found = [i for i in found if i.gender == gender_required]
    if not found:
        scenario = "open" if upcoming else "nobody found"
    # Each step after the last, before the start (asking, answering), and never after the run.
    delays = iter(draw["delays"])
    clock = [created]

    def after(limit, *, hours=12.0):
        at = clock[0] + timedelta(hours=hours * next(delays))
        at = min(at, limit, run.now)
        clock[0] = max(at, clock[0])
        return clock[0]

    bookings, feedback, notes = [], [], []

    def notice(user, kind, at):
        if user is not None and run.now - at < timedelta(days=NOTIFY_DAYS):
            old = run.now - at > timedelta(days=READ_AFTER_DAYS)
            read = at + timedelta(hours=3) if old else None
            notes.append(Notification(user=user, kind=kind, created_at=at, read_at=read))

    def book(interpreter, outcome):
        """One booking's life: proposed, then answered and carried out or not."""
        proposed = after(start)
        booking = Booking(
            request=request,
            interpreter=interpreter,
            start=start,
            end=end,
            rank=0,
            reasons=[],
            created_at=proposed,
            updated_at=proposed,
        )
        log = [
            (
                "interpreter.booking_propose",
                requester,
                case.organisation_id,
                {"interpreter": interpreter.pk, "rank": 0},
            )
        ]
        notice(interpreter.user, "interpreter.proposed", proposed)
        # The interpreter answers on their own account, or the pool's coordinator for them.
        answerer = interpreter.user or coordinator
        if outcome == "declined":
            at = after(start)
            booking.status, booking.note = BookingStatus.DECLINED, draw["note"]
            log.append(("interpreter.booking_decline", answerer, None, {}))
            notice(requester, "interpreter.declined", at)
        elif outcome != "proposed":
            at = after(start)
            booking.status = BookingStatus.CONFIRMED
            booking.confirmed_by, booking.confirmed_at = answerer, at
            log.append(("interpreter.booking_confirm", answerer, None, {}))
            notice(requester, "interpreter.confirmed", at)
            if outcome in ("done", "no-show"):
                # The worker's reminder the day before.
                booking.reminded_at = max(start - timedelta(hours=20), at)
                notice(requester, "interpreter.request_reminder", booking.reminded_at)
                notice(interpreter.user, "interpreter.reminder", booking.reminded_at)
            if outcome == "done":
                at = min(end + timedelta(hours=24 * next(delays)), run.now)
                clock[0] = at
                booking.status = BookingStatus.DONE
                log.append(("interpreter.booking_done", requester, None, {}))
                if draw["feedback"] < 0.4:
                    given = min(at + timedelta(hours=48 * draw["feedback"]), run.now)
                    feedback.append(
                        (
                            Feedback(
                                booking=booking,
                                author=requester,
                                quality=draw["quality"],
                                neutral=draw["neutral"],
                                confidentiality_concern=draw["concern"],
                                created_at=given,
                            ),
                            [
                                (
                                    "interpreter.feedback",
                                    requester,
                                    None,
                                    {"by_interpreter": False, "concern": draw["concern"]},
                                )
                            ],
                        )
                    )
                    if draw["concern"]:
                        for user in pool["coordinators"]:
                            notice(user, "interpreter.concern", given)
            elif outcome == "no-show":
                at = min(start + timedelta(hours=1), run.now)
                clock[0] = at
                booking.status, booking.note = BookingStatus.NO_SHOW, ""
                log.append(("interpreter.booking_no_show", requester, None, {}))
            elif outcome == "cancelled":
                # The interpreter cannot come after all; the coordinator cancels for them.
                at = after(start)
                booking.status, booking.note = BookingStatus.CANCELLED, draw["note"]
                log.append(("interpreter.booking_cancel", coordinator, None, {}))
                notice(requester, "interpreter.cancelled_for_you", at)
                notice(interpreter.user, "interpreter.cancelled", at)
        booking.version = len(log)
        booking.updated_at = clock[0]
        bookings.append((booking, log))
        return booking

    first_choice = _pick(draw["first"], found) if found else None
    others = [i for i in found if i is not first_choice]
    second_choice = _pick(draw["other"], others) if others else None
    if scenario in ("declined, then done", "cancelled, then done") and second_choice is None:
        scenario = "done"
    if scenario == "done":
        book(first_choice, "done")
        request.status = RequestStatus.DONE
    elif scenario == "declined, then done":
        book(first_choice, "declined")
        book(second_choice, "done")
        request.status = RequestStatus.DONE
    elif scenario == "cancelled, then done":
        book(first_choice, "cancelled")
        book(second_choice, "done")
        request.status = RequestStatus.DONE
    elif scenario == "proposed":
        book(first_choice, "proposed")
    elif scenario == "confirmed":
        book(first_choice, "confirmed")
        request.status = RequestStatus.BOOKED
    elif scenario == "declined, waiting":
        book(first_choice, "declined")
    elif scenario in ("no-show", "request cancelled", "nobody found"):
        if scenario == "no-show":
            book(first_choice, "no-show")
        held = None
        if scenario == "request cancelled":
            held = book(first_choice, "confirmed")
        at = after(max(start, clock[0]) if scenario == "no-show" else start)
        if held is not None:
            # `request_cancel` cancels the held booking in place (no version, no time of its own).
            held.status = BookingStatus.CANCELLED
            notice(first_choice.user, "interpreter.cancelled", at)
        request.status = RequestStatus.CANCELLED
        request.version += 1
        request_log.append(("interpreter.request_cancel", requester, None, {}))
    if upcoming:
        for booking, _log in bookings:
            if booking.status in HOLDING:
                pool["held"].setdefault(booking.interpreter_id, []).append((start, end))
    request.updated_at = clock[0]
    return (request, request_log), bookings, feedback, notes
