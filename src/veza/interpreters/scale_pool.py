"""Scale data, part 5a: the interpreter pool at national scale. Generated interpreters join the
demo's pool (about one per 500 cases, each language of the people in the cases spoken by at
least one), with two weeks of availability, written as the services
(`veza.interpreters.services`) would have written them, with one audit entry for each. Part 5b
(`veza.interpreters.scale`) gives cases their requests and bookings from this pool.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, time, timedelta

from django.utils import timezone

from veza.cases.scale import invented_name
from veza.core.audit import audit_log_bulk
from veza.core.bulk import bulk_insert, insert_objects
from veza.core.errors import ValidationError
from veza.interpreters.models import HOLDING, Availability, Booking, Interpreter, Skill
from veza.interpreters.services import coordinators
from veza.organisations.models import Organisation, Participant

__all__ = ["CASES_PER_INTERPRETER", "PEOPLE_LANGUAGES", "scale_interpreter_pool"]

#: Generated interpreters: one per this many cases (and at least one per language below).
CASES_PER_INTERPRETER = 500
#: The languages (ISO 639-3) of people by citizenship (the cases' citizenships), with shares.
PEOPLE_LANGUAGES = {
    "SY": [("ara", 85), ("kmr", 15)],
    "AF": [("prs", 60), ("pus", 40)],
    "PK": [("urd", 65), ("pus", 20), ("pan", 15)],
    "MA": [("ara", 85), ("fra", 15)],
    "IQ": [("ara", 60), ("kmr", 25), ("ckb", 15)],
    "BD": [("ben", 100)],
    "UA": [("ukr", 75), ("rus", 25)],
    "AL": [("sqi", 100)],
    "XK": [("sqi", 100)],
    "TR": [("tur", 75), ("kmr", 25)],
    "NG": [("eng", 80), ("yor", 20)],
    "CN": [("zho", 100)],
    "VN": [("vie", 100)],
}
#: Languages an interpreter of a language often speaks as well.
NEIGHBOURS = {
    "ara": ["fra", "kmr", "eng"],
    "prs": ["pus", "fas"],
    "pus": ["prs", "urd"],
    "urd": ["pan", "pus"],
    "pan": ["urd"],
    "fra": ["ara", "eng"],
    "kmr": ["tur", "ara", "ckb"],
    "ckb": ["kmr", "ara"],
    "ben": ["eng"],
    "ukr": ["rus"],
    "rus": ["ukr"],
    "sqi": ["eng"],
    "tur": ["kmr"],
    "eng": ["fra"],
    "yor": ["eng"],
    "zho": ["eng"],
    "vie": ["eng"],
}
#: The language professionals speak, by participant (what interpreters interpret into).
OFFICIAL = {"RS": "srp", "MK": "mkd", "AL": "sqi", "XK": "sqi", "BA": "bos", "ME": "cnr"}
_SCALE_NAME = re.compile(r"\(scale (\d+)\)$")


def _choose(rng, pairs):
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


def _demand() -> list[tuple[str, float]]:
    """Each language with its share of the people from abroad (from the cases' citizenships)."""
    from veza.cases.scale import CITIZENSHIP

    share: dict[str, float] = {}
    for country, weight in CITIZENSHIP:
        for language, part in PEOPLE_LANGUAGES.get(country, []):
            share[language] = share.get(language, 0) + weight * part / 100
    return sorted(share.items())


def scale_interpreter_pool(run) -> None:
    """Add the missing generated interpreters (with skills and availability) and share the
    pool, its coordinator and the bookings that hold an interpreter's time."""
    participant = Participant.objects.get(code=run.participant_code)
    found = coordinators(participant)
    if not found:
        raise ValidationError("Run `veza demo` first: the interpreter coordinator is missing.")
    coordinator = min(found, key=lambda u: u.pk)
    service = Organisation.objects.filter(
        participant=participant, sector="interpreter_service", is_demo=True
    ).first()
    official = OFFICIAL.get(run.participant_code, "eng")
    demand = _demand()
    wanted = max(len(demand), -(-run.n // CASES_PER_INTERPRETER))
    have = set()
    for name in Interpreter.objects.filter(participant=participant).values_list("name", flat=True):
        match = _SCALE_NAME.search(name)
        if match:
            have.add(int(match.group(1)))
    places = list(
        Interpreter.objects.filter(participant=participant, latitude__isnull=False)
        .order_by("pk")
        .values_list("area", "latitude", "longitude")
    ) or [("", None, None)]
    today = timezone.localdate()
    new, skills = [], []
    for number in range(1, wanted + 1):
        rng = random.Random(f"{run.seed}/interpreter/{number}")
        # The first ones speak each language natively, so that every request can be served.
        native = demand[number - 1][0] if number <= len(demand) else _choose(rng, demand)
        near = NEIGHBOURS.get(native, [])
        others = rng.sample(near, k=min(rng.randint(0, 2), len(near)))
        given, family = invented_name(rng)
        area, lat, lon = rng.choice(places)
        trained = rng.random() < 0.7
        remote = rng.random() < 0.8
        interpreter = Interpreter(
            name=f"{given} {family[0]}. (scale {number})",
            organisation=service,
            participant=participant,
            area=area,
            latitude=None if lat is None else round(lat + rng.uniform(-0.05, 0.05), 4),
            longitude=None if lon is None else round(lon + rng.uniform(-0.05, 0.05), 4),
            gender=_choose(rng, [("female", 55), ("male", 44), ("other", 1)]),
            remote=remote,
            on_site=(not remote) or rng.random() < 0.85,
            travel_km_max=rng.choice([50, 100, 150, 250]),
            target_languages=[official, "eng"] if rng.random() < 0.6 else [official],
            accreditation="Court interpreter register (invented)",
            trafficking_training=today - timedelta(days=rng.randint(30, 900)) if trained else None,
            trauma_training=today - timedelta(days=rng.randint(30, 900)) if trained else None,
            vetting="valid",
            vetted_until=today + timedelta(days=rng.randint(60, 700)),
            confidentiality_signed=today - timedelta(days=rng.randint(30, 900)),
            rate_per_hour=rng.choice([20, 25, 30, 35]),
            created_at=run.now,
            updated_at=run.now,
        )
        if number == 1:
            interpreter.target_languages = [official, "eng"]  # someone serves requests into English
        levels = [(native, 5)] + [(x, rng.choice([3, 4, 4, 5])) for x in others]
        windows = []
        for day in range(15):
            date = today + timedelta(days=day)
            if date.weekday() < 5 or rng.random() < 0.3:
                start = timezone.make_aware(datetime.combine(date, time(8, 0)))
                windows.append((start, start + timedelta(hours=10)))
        if number not in have:
            new.append((interpreter, levels, windows))
    if new:
        insert_objects(Interpreter, [i for i, _l, _w in new])
        skills = [
            Skill(interpreter=i, language=code, proficiency=level)
            for i, levels, _w in new
            for code, level in levels
        ]
        bulk_insert(Skill, skills)
        slots = [
            Availability(interpreter=i, start=start, end=end)
            for i, _l, windows in new
            for start, end in windows
        ]
        insert_objects(Availability, slots)
        audit = [
            {
                "action": "interpreter.add",
                "actor": coordinator,
                "obj": i,
                "detail": {"languages": [code for code, _level in levels]},
            }
            for i, levels, _w in new
        ]
        audit += [
            {
                "action": "interpreter.availability_add",
                "actor": coordinator,
                "obj": slot.interpreter,
                "detail": {"slot": slot.pk},
            }
            for slot in slots
        ]
        audit_log_bulk(audit)
        run.count("interpreters", len(new))
        run.count("availability periods", len(slots))
    pool = Interpreter.objects.filter(is_active=True).prefetch_related("skills").order_by("pk")
    speakers: dict[str, list] = {}
    for interpreter in pool:
        for skill in interpreter.skills.all():
            speakers.setdefault(skill.language, []).append((interpreter, skill.proficiency))
    available: dict[int, list] = {}
    for ident, start, end in Availability.objects.filter(end__gt=run.now).values_list(
        "interpreter_id", "start", "end"
    ):
        available.setdefault(ident, []).append((start, end))
    held: dict[int, list] = {}
    for ident, start, end in Booking.objects.filter(
        status__in=HOLDING, end__gt=run.now - timedelta(days=1)
    ).values_list("interpreter_id", "start", "end"):
        held.setdefault(ident, []).append((start, end))
    run.shared["interpreting"] = {
        "coordinator": coordinator,
        "coordinators": sorted(found, key=lambda u: u.pk),
        "official": official,
        "speakers": speakers,
        "available": available,
        "held": held,
    }
