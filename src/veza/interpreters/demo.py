"""Demo interpreters (invented people) for the joint pool's pilot in Serbia and North Macedonia:
languages of people on the move, availability for the next two weeks, a few past assignments with
feedback, and one interpreter with their own account (`rs.interpreter`)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from veza.interpreters.models import (
    Availability,
    Booking,
    BookingStatus,
    Feedback,
    Interpreter,
    InterpreterRequest,
    RequestStatus,
    Skill,
    SupportContact,
)
from veza.organisations.models import Organisation, Participant

__all__ = ["demo_interpreters"]

#: Dialects some demo interpreters speak (matching prefers them when a request names one).
DIALECTS = {
    ("Zarmina H.", "pus"): ["Kandahari"],
    ("Ahmad K.", "pus"): ["Yusufzai", "Kandahari"],
    ("Ahmad K.", "prs"): ["Hazaragi"],
}
#: Invented support services for the pool's interpreters (demo content).
SUPPORT = {
    "RS": ("Debriefing line for interpreters (demo)", "+381 11 000 0000", "Mon-Fri 9-17"),
    "MK": ("Debriefing line for interpreters (demo)", "+389 2 000 0000", "Mon-Fri 9-17"),
}
#: (name, gender, [(language, proficiency)], into, area, (lat, lon), trafficking-trained)
POOL = {
    "RS": [
        (
            "Zarmina H.",
            "female",
            [("pus", 5), ("prs", 4), ("urd", 3)],
            ["srp", "eng"],
            "Beograd",
            (44.81, 20.46),
            True,
        ),
        (
            "Ahmad K.",
            "male",
            [("pus", 5), ("prs", 5)],
            ["srp", "eng"],
            "Subotica",
            (46.10, 19.67),
            False,
        ),
        (
            "Leila S.",
            "female",
            [("ara", 5), ("fra", 4)],
            ["srp", "eng"],
            "Beograd",
            (44.80, 20.47),
            True,
        ),
        ("Omid R.", "male", [("fas", 5), ("prs", 4)], ["srp"], "Beograd", (44.82, 20.41), True),
        (
            "Semira T.",
            "female",
            [("tir", 5), ("amh", 4)],
            ["eng"],
            "Novi Sad",
            (45.25, 19.84),
            False,
        ),
        (
            "Kawa M.",
            "male",
            [("kmr", 5), ("tur", 4), ("ara", 3)],
            ["srp", "eng"],
            "Niš",
            (43.32, 21.90),
            True,
        ),
    ],
    "MK": [
        (
            "Nadia F.",
            "female",
            [("ara", 5), ("eng", 5)],
            ["mkd", "eng"],
            "Skopje",
            (41.99, 21.43),
            True,
        ),
        (
            "Farid A.",
            "male",
            [("pus", 4), ("urd", 5)],
            ["mkd", "eng"],
            "Gevgelija",
            (41.14, 22.50),
            True,
        ),
        ("Hana B.", "female", [("som", 5), ("ara", 4)], ["eng"], "Skopje", (42.00, 21.44), False),
        (
            "Sahar N.",
            "female",
            [("prs", 5), ("fas", 5)],
            ["mkd", "eng"],
            "Kumanovo",
            (42.13, 21.71),
            True,
        ),
    ],
}


@transaction.atomic
def demo_interpreters(*, progress=None) -> dict:
    if Interpreter.objects.exists():
        return {"lines": ["Demo interpreters exist already."]}
    from veza.organisations.demo import _user

    rng = random.Random(7)
    today = timezone.localdate()
    made = 0
    for code, people in POOL.items():
        participant = Participant.objects.get(code=code)
        service = Organisation.objects.filter(
            participant=participant, sector="interpreter_service", is_demo=True
        ).first()
        for name, gender, languages, into, area, (lat, lon), trained in people:
            interpreter = Interpreter.objects.create(
                name=f"{name} (demo)",
                organisation=service,
                participant=participant,
                area=area,
                latitude=lat,
                longitude=lon,
                gender=gender,
                target_languages=into,
                accreditation="Court interpreter register (invented)",
                trafficking_training=today - timedelta(days=200) if trained else None,
                trauma_training=today - timedelta(days=100) if trained else None,
                vetting="valid",
                vetted_until=today + timedelta(days=300),
                confidentiality_signed=today - timedelta(days=250),
                conflicts=["family:k"] if name.startswith("Ahmad") else [],
                rate_per_hour=25,
                travel_km_max=150,
            )
            for language, level in languages:
                Skill.objects.create(
                    interpreter=interpreter,
                    language=language,
                    proficiency=level,
                    dialects=DIALECTS.get((name, language), []),
                )
            for day in range(0, 15):
                date = today + timedelta(days=day)
                if date.weekday() < 5 or rng.random() < 0.3:
                    start = timezone.make_aware(datetime.combine(date, time(8, 0)))
                    Availability.objects.create(
                        interpreter=interpreter, start=start, end=start + timedelta(hours=10)
                    )
            made += 1
    _past_assignments(rng, today)
    for code, (service, phone, hours) in SUPPORT.items():
        SupportContact.objects.update_or_create(
            participant=Participant.objects.get(code=code),
            defaults={
                "name": service,
                "phone": phone,
                "hours": hours,
                "note": "Demo content: an invented service. The coordinator names the real one.",
            },
        )
    account = _user("rs.interpreter", "Zarmina", "Interpreter", "sr-latn")
    Interpreter.objects.filter(name="Zarmina H. (demo)").update(user=account)
    return {
        "lines": [
            f"Interpreter pool: {made} demo interpreters in RS and MK; "
            "rs.interpreter logs in as one of them."
        ]
    }


def _past_assignments(rng, today) -> None:
    """Some done assignments with feedback, so that the pool's use has figures."""
    settings = ["police_interview", "identification", "medical", "shelter", "counselling"]
    for interpreter in Interpreter.objects.prefetch_related("skills"):
        organisation = Organisation.objects.filter(
            participant=interpreter.participant, is_demo=True, sector="police"
        ).first()
        if organisation is None:
            continue
        for n in range(rng.randint(1, 4)):
            start = timezone.make_aware(
                datetime.combine(today - timedelta(days=rng.randint(3, 80)), time(9 + n, 0))
            )
            request = InterpreterRequest.objects.create(
                organisation=organisation,
                participant=interpreter.participant,
                reference="",
                languages=[interpreter.skills.all()[0].language],
                target_language=interpreter.target_languages[0],
                start=start,
                end=start + timedelta(hours=2),
                setting=rng.choice(settings),
                status=RequestStatus.DONE,
            )
            booking = Booking.objects.create(
                request=request,
                interpreter=interpreter,
                start=request.start,
                end=request.end,
                status=BookingStatus.DONE,
            )
            Feedback.objects.create(
                booking=booking, quality=rng.choice([3, 4, 4, 5, 5]), neutral=True
            )
