"""Writes of the interpreter pool. Every change is audited in its transaction; a booking holds an
interpreter's time only after the interpreter's row is locked, so two requests for the same slot
can never both take the same person."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.audit import audit_log
from veza.core.errors import ConflictError, PermissionDeniedError, ValidationError
from veza.interpreters.models import (
    HOLDING,
    Availability,
    Booking,
    BookingStatus,
    Feedback,
    Interpreter,
    InterpreterRequest,
    RequestStatus,
    Setting,
    SupportContact,
)
from veza.referrals.services import members_with, notify

__all__ = [
    "availability_add",
    "availability_remove",
    "booking_cancel",
    "booking_confirm",
    "booking_decline",
    "booking_done",
    "booking_propose",
    "coordinators",
    "feedback_record",
    "interpreter_save",
    "request_cancel",
    "request_create",
    "support_contact_save",
]

COORDINATE = "interpreters.coordinate_pool"
REQUEST = "interpreters.add_interpreterrequest"
#: The longest assignment a request may ask for.
LONGEST = timedelta(hours=12)


def _is_coordinator(actor, participant) -> bool:
    from veza.organisations.scope import user_scope

    return participant.pk in user_scope(actor).participants_with(COORDINATE)


def _own(actor, interpreter: Interpreter) -> bool:
    return interpreter.user_id is not None and interpreter.user_id == getattr(actor, "pk", None)


FIELDS = (
    "name",
    "organisation",
    "area",
    "latitude",
    "longitude",
    "gender",
    "remote",
    "on_site",
    "travel_km_max",
    "target_languages",
    "accreditation",
    "trafficking_training",
    "trauma_training",
    "vetting",
    "vetted_until",
    "confidentiality_signed",
    "conflicts",
    "rate_per_hour",
    "currency",
    "is_active",
)


@transaction.atomic
def interpreter_save(
    *, actor, participant, skills: list[tuple], interpreter=None, **values
) -> Interpreter:
    """Add an interpreter to the pool, or change one (the coordinator of its participant).
    `skills` holds (ISO 639-3 code, level 1-5) or (code, level, [dialects])."""
    from veza.interpreters.models import Skill

    if not _is_coordinator(actor, participant):
        raise PermissionDeniedError()
    problems: dict[str, list[str]] = {}
    dialects = {
        str(skill[0]).lower(): sorted({str(d).strip() for d in skill[2] if str(d).strip()})
        for skill in skills
        if len(skill) > 2
    }
    skills = [(str(skill[0]), skill[1]) for skill in skills]
    if not (values.get("name") or "").strip():
        problems["name"] = [_("Give the interpreter's name.")]
    if not skills or any(
        len(code) != 3 or not code.isalpha() or not 1 <= level <= 5 for code, level in skills
    ):
        problems["skills"] = [_("Languages as ISO 639-3 code and level 1 to 5, e.g. pus:5, prs:4.")]
    if len({code for code, _level in skills}) != len(skills):
        problems["skills"] = [_("Each language once.")]
    if any(len(d) > 60 for names in dialects.values() for d in names):
        problems["skills"] = [_("A dialect's name is at most 60 characters.")]
    if problems:
        raise ValidationError(fields=problems)
    clean = {k: v for k, v in values.items() if k in FIELDS}
    if interpreter is None:
        interpreter = Interpreter.objects.create(participant=participant, **clean)
        action = "interpreter.add"
    else:
        interpreter = Interpreter.objects.select_for_update().get(pk=interpreter.pk)
        for key, value in clean.items():
            setattr(interpreter, key, value)
        interpreter.version += 1
        interpreter.save()
        action = "interpreter.change"
    interpreter.skills.exclude(language__in=[c for c, _l in skills]).delete()
    for code, level in skills:
        defaults = {"proficiency": level}
        if code.lower() in dialects:
            defaults["dialects"] = dialects[code.lower()]
        Skill.objects.update_or_create(
            interpreter=interpreter, language=code.lower(), defaults=defaults
        )
    audit_log(action, actor=actor, obj=interpreter, detail={"languages": [c for c, _l in skills]})
    return interpreter


@transaction.atomic
def availability_add(*, actor, interpreter: Interpreter, start, end) -> Availability:
    if not (_own(actor, interpreter) or _is_coordinator(actor, interpreter.participant)):
        raise PermissionDeniedError()
    if end <= start:
        raise ValidationError(fields={"end": [_("The end comes after the start.")]})
    if end - start > timedelta(days=31):
        raise ValidationError(fields={"end": [_("One period is at most a month long.")]})
    slot = Availability.objects.create(interpreter=interpreter, start=start, end=end)
    audit_log(
        "interpreter.availability_add", actor=actor, obj=interpreter, detail={"slot": slot.pk}
    )
    return slot


@transaction.atomic
def availability_remove(*, actor, slot: Availability) -> None:
    """Take back a period of availability (a booking already made in it stays)."""
    interpreter = slot.interpreter
    if not (_own(actor, interpreter) or _is_coordinator(actor, interpreter.participant)):
        raise PermissionDeniedError()
    audit_log(
        "interpreter.availability_remove",
        actor=actor,
        obj=interpreter,
        detail={"slot": slot.pk},
    )
    slot.delete()


SUPPORT_FIELDS = ("name", "phone", "email", "url", "hours", "note")


@transaction.atomic
def support_contact_save(*, actor, participant, **values) -> SupportContact:
    """The coordinator says where the pool's interpreters find support."""
    if not _is_coordinator(actor, participant):
        raise PermissionDeniedError()
    clean = {k: (values.get(k) or "").strip() for k in SUPPORT_FIELDS}
    if not clean["name"]:
        raise ValidationError(fields={"name": [_("Name the support service.")]})
    if not (clean["phone"] or clean["email"] or clean["url"]):
        raise ValidationError(
            fields={"phone": [_("Give at least a telephone, an e-mail or a web page.")]}
        )
    contact, _created = SupportContact.objects.update_or_create(
        participant=participant, defaults=clean
    )
    audit_log("interpreter.support_contact", actor=actor, obj=contact, detail={})
    return contact


@transaction.atomic
def request_create(*, actor, organisation, **values) -> InterpreterRequest:
    """A professional asks for an interpreter (the person is named by a pseudonymous reference
    only)."""
    if not actor.has_perm(REQUEST, organisation):
        raise PermissionDeniedError()
    problems: dict[str, list[str]] = {}
    languages = [str(x).strip().lower() for x in values.get("languages") or [] if str(x).strip()]
    if not languages or any(len(x) != 3 or not x.isalpha() for x in languages):
        problems["languages"] = [_("Give the person's language(s) as ISO 639-3 codes, e.g. pus.")]
    start, end = values.get("start"), values.get("end")
    if not start or not end or end <= start:
        problems["end"] = [_("The end comes after the start.")]
    elif end - start > LONGEST:
        problems["end"] = [_("An assignment is at most 12 hours long.")]
    elif start < timezone.now() - timedelta(hours=1):
        problems["start"] = [_("The time has passed.")]
    if values.get("setting") not in Setting.values:
        problems["setting"] = [_("Choose the setting.")]
    level = values.get("min_proficiency", 4)
    if not isinstance(level, int) or not 1 <= level <= 5:
        problems["min_proficiency"] = [_("From 1 to 5.")]
    reference = (values.get("reference") or "").strip()
    if len(reference.split()) > 1:
        problems["reference"] = [_("A pseudonymous code only, never a name.")]
    if problems:
        raise ValidationError(fields=problems)
    request = InterpreterRequest.objects.create(
        requester=actor,
        organisation=organisation,
        participant=organisation.participant,
        reference=reference,
        languages=languages,
        dialect=(values.get("dialect") or "").strip(),
        target_language=(values.get("target_language") or "").strip().lower(),
        start=start,
        end=end,
        remote=bool(values.get("remote")),
        place=(values.get("place") or "").strip(),
        latitude=values.get("latitude"),
        longitude=values.get("longitude"),
        urgent=bool(values.get("urgent")),
        gender_required=values.get("gender_required") or "",
        gender_preferred=values.get("gender_preferred") or "",
        setting=values["setting"],
        trafficking_related=values.get("trafficking_related", True) is not False,
        min_proficiency=level,
        avoid=[str(x).strip().lower() for x in values.get("avoid") or [] if str(x).strip()],
    )
    audit_log(
        "interpreter.request",
        actor=actor,
        obj=request,
        organisation_id=organisation.pk,
        detail={"languages": languages, "setting": request.setting, "urgent": request.urgent},
    )
    return request


def _may_act_for_request(actor, request: InterpreterRequest) -> bool:
    return (
        request.requester_id == getattr(actor, "pk", None)
        or actor.has_perm(REQUEST, request.organisation)
        or _is_coordinator(actor, request.participant)
    )


def _hold(interpreter: Interpreter, start, end, *, exclude=None) -> None:
    """Lock the interpreter's row, then refuse when another booking holds that time. The lock
    serialises every booking of the same interpreter (PostgreSQL row lock; SQLite writes are
    serialised by the database itself)."""
    Interpreter.objects.select_for_update().get(pk=interpreter.pk)
    clash = Booking.objects.filter(
        interpreter=interpreter, status__in=HOLDING, start__lt=end, end__gt=start
    )
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ConflictError(_("This interpreter is already booked at that time."))


@transaction.atomic
def booking_propose(
    *, actor, request: InterpreterRequest, interpreter: Interpreter, rank: int = 0, reasons=()
) -> Booking:
    """Ask an interpreter for the request's time: their time is held until they answer. A
    coordinator may confirm at once (`booking_confirm`)."""
    if not _may_act_for_request(actor, request):
        raise PermissionDeniedError()
    request = InterpreterRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.OPEN:
        raise ValidationError(_("This request is not looking for an interpreter any more."))
    if request.bookings.filter(status__in=HOLDING).exists():
        raise ValidationError(_("An interpreter has been asked already: wait for the answer."))
    if not interpreter.is_active:
        raise ValidationError(_("This interpreter is not in the pool at the moment."))
    _hold(interpreter, request.start, request.end)
    booking = Booking.objects.create(
        request=request,
        interpreter=interpreter,
        start=request.start,
        end=request.end,
        rank=rank,
        reasons=list(reasons),
    )
    audit_log(
        "interpreter.booking_propose",
        actor=actor,
        obj=booking,
        organisation_id=request.organisation_id,
        detail={"interpreter": interpreter.pk, "request": request.pk, "rank": rank},
    )
    notify([interpreter.user], "interpreter.proposed")
    return booking


def _locked(booking: Booking, expected_version=None) -> Booking:
    """The booking, locked; ConflictError (409) if someone changed it since `expected_version`
    (the version the person or client read) — before any other check, so that the one who lost
    a race hears "changed meanwhile", not "not allowed any more"."""
    booking = (
        Booking.objects.select_for_update()
        .select_related("request", "interpreter")
        .get(pk=booking.pk)
    )
    if expected_version not in (None, "") and str(expected_version) != str(booking.version):
        raise ConflictError()
    return booking


@transaction.atomic
def booking_confirm(*, actor, booking: Booking, expected_version=None) -> Booking:
    """The interpreter (or the pool's coordinator) confirms."""
    booking = _locked(booking, expected_version)
    if not (
        _own(actor, booking.interpreter) or _is_coordinator(actor, booking.request.participant)
    ):
        raise PermissionDeniedError()
    if booking.status != BookingStatus.PROPOSED:
        raise ValidationError(_("This booking is not waiting for a confirmation."))
    _hold(booking.interpreter, booking.start, booking.end, exclude=booking)
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_by, booking.confirmed_at = actor, timezone.now()
    booking.version += 1
    booking.save()
    InterpreterRequest.objects.filter(pk=booking.request_id).update(status=RequestStatus.BOOKED)
    audit_log("interpreter.booking_confirm", actor=actor, obj=booking, detail={})
    notify(_others(actor, booking.request.requester), "interpreter.confirmed")
    return booking


@transaction.atomic
def booking_decline(*, actor, booking: Booking, note: str = "", expected_version=None) -> Booking:
    """The interpreter cannot take it: the request looks for someone else."""
    booking = _locked(booking, expected_version)
    if not (
        _own(actor, booking.interpreter) or _is_coordinator(actor, booking.request.participant)
    ):
        raise PermissionDeniedError()
    if booking.status != BookingStatus.PROPOSED:
        raise ValidationError(_("This booking is not waiting for an answer."))
    booking.status, booking.note = BookingStatus.DECLINED, note[:300]
    booking.version += 1
    booking.save()
    audit_log("interpreter.booking_decline", actor=actor, obj=booking, detail={})
    notify(_others(actor, booking.request.requester), "interpreter.declined")
    return booking


@transaction.atomic
def booking_cancel(
    *, actor, booking: Booking, note: str = "", no_show: bool = False, expected_version=None
) -> Booking:
    """Cancelled (by the requester, the interpreter or the coordinator), or marked as a no-show
    by the requester or coordinator: the request looks for a replacement."""
    booking = _locked(booking, expected_version)
    request = booking.request
    allowed = _may_act_for_request(actor, request) or (
        not no_show and _own(actor, booking.interpreter)
    )
    if not allowed:
        raise PermissionDeniedError()
    if booking.status not in HOLDING:
        raise ValidationError(_("This booking is not active."))
    booking.status = BookingStatus.NO_SHOW if no_show else BookingStatus.CANCELLED
    booking.note = note[:300]
    booking.version += 1
    booking.save()
    if request.status == RequestStatus.BOOKED:
        InterpreterRequest.objects.filter(pk=request.pk).update(status=RequestStatus.OPEN)
    audit_log(
        "interpreter.booking_no_show" if no_show else "interpreter.booking_cancel",
        actor=actor,
        obj=booking,
        detail={},
    )
    if not no_show:
        notify(_others(actor, booking.interpreter.user), "interpreter.cancelled")
        notify(_others(actor, request.requester), "interpreter.cancelled_for_you")
    return booking


@transaction.atomic
def booking_done(*, actor, booking: Booking, expected_version=None) -> Booking:
    booking = _locked(booking, expected_version)
    if not _may_act_for_request(actor, booking.request):
        raise PermissionDeniedError()
    if booking.status != BookingStatus.CONFIRMED:
        raise ValidationError(_("Only a confirmed booking can be done."))
    booking.status = BookingStatus.DONE
    booking.version += 1
    booking.save()
    InterpreterRequest.objects.filter(pk=booking.request_id).update(status=RequestStatus.DONE)
    audit_log("interpreter.booking_done", actor=actor, obj=booking, detail={})
    return booking


@transaction.atomic
def request_cancel(*, actor, request: InterpreterRequest) -> InterpreterRequest:
    if not _may_act_for_request(actor, request):
        raise PermissionDeniedError()
    request = InterpreterRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (RequestStatus.OPEN, RequestStatus.BOOKED):
        raise ValidationError(_("This request is closed."))
    held = list(request.bookings.filter(status__in=HOLDING).select_related("interpreter__user"))
    request.bookings.filter(pk__in=[b.pk for b in held]).update(status=BookingStatus.CANCELLED)
    notify(_others(actor, *[b.interpreter.user for b in held]), "interpreter.cancelled")
    request.status = RequestStatus.CANCELLED
    request.version += 1
    request.save()
    audit_log("interpreter.request_cancel", actor=actor, obj=request, detail={})
    return request


@transaction.atomic
def feedback_record(*, actor, booking: Booking, **values) -> Feedback:
    """Feedback after the assignment: the requester on quality, neutrality and confidentiality;
    the interpreter on safety and distress."""
    by_interpreter = _own(actor, booking.interpreter)
    if not by_interpreter and not _may_act_for_request(actor, booking.request):
        raise PermissionDeniedError()
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.DONE):
        raise ValidationError(_("Feedback follows an assignment that took place."))
    quality = values.get("quality")
    if quality is not None and not 1 <= int(quality) <= 5:
        raise ValidationError(fields={"quality": [_("From 1 to 5.")]})
    feedback, _created = Feedback.objects.update_or_create(
        booking=booking,
        by_interpreter=by_interpreter,
        defaults={
            "author": actor,
            "quality": quality,
            "neutral": values.get("neutral"),
            "confidentiality_concern": bool(values.get("confidentiality_concern")),
            "safety_concern": bool(values.get("safety_concern")),
            "distress": bool(values.get("distress")),
            "comment": (values.get("comment") or "").strip()[:2000],
        },
    )
    audit_log(
        "interpreter.feedback",
        actor=actor,
        obj=booking,
        detail={"by_interpreter": by_interpreter, "concern": feedback.confidentiality_concern},
    )
    if feedback.confidentiality_concern or feedback.safety_concern or feedback.distress:
        notify(coordinators(booking.request.participant), "interpreter.concern")
    return feedback


def coordinators(participant) -> list:
    """The people who run the pool of a participant (they hear of every concern)."""
    from veza.organisations.models import Organisation

    found = []
    for organisation in Organisation.objects.filter(participant=participant):
        found += members_with(organisation, COORDINATE)
    return found


def _others(actor, *users) -> list:
    """The people to tell, without the one who acted."""
    return [u for u in users if u is not None and u.pk != getattr(actor, "pk", None)]
