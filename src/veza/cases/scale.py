"""Scale data, part 3: the cases opened from the generated screenings, with consent, an identity
for about half (invented names, sealed and indexed as `identity_write` does), formal decisions
for about 40 % and the timeline; one audit entry for each service call it stands for."""

from __future__ import annotations

import random
from datetime import timedelta

from veza.cases.choices import CaseStatus, ConsentGiver, MethodOfControl, Sex, TraffickingStatus
from veza.cases.models import Case, CaseEvent, Consent, Identity, TraffickingDecision
from veza.cases.services import SCREENING_FORMS
from veza.core.bulk import bulk_insert, bulk_set, insert_objects, insert_rows
from veza.core.crypto import blind_index
from veza.organisations.scale import STAFF

__all__ = [
    "CITIZENSHIP",
    "case_event",
    "invented_name",
    "scale_cases",
    "scale_cases_close",
    "scale_existing",
]

#: Citizenship of the people in the cases: the participant's own ("local") and the main countries
#: of people on the move through the region, with their share.
CITIZENSHIP = [
    ("local", 62),
    ("SY", 7),
    ("AF", 7),
    ("PK", 4),
    ("MA", 3),
    ("IQ", 2),
    ("BD", 2),
    ("UA", 3),
    ("AL", 3),
    ("XK", 2),
    ("TR", 2),
    ("NG", 1),
    ("CN", 1),
    ("VN", 1),
]
#: Share of women among the people in a case, by the first suspected form of exploitation.
FEMALE_SHARE = {
    "sexual_exploitation": 0.9,
    "forced_labour": 0.3,
    "forced_begging": 0.45,
    "domestic_servitude": 0.8,
    "forced_marriage": 0.95,
}
LANGUAGES = {
    "SY": "Arabic",
    "IQ": "Arabic",
    "MA": "Arabic",
    "AF": "Dari",
    "PK": "Urdu",
    "BD": "Bengali",
    "UA": "Ukrainian",
    "AL": "Albanian",
    "XK": "Albanian",
    "TR": "Turkish",
    "NG": "English",
    "CN": "Chinese",
    "VN": "Vietnamese",
}
# Invented name parts: put together at random they name nobody in particular.
_GIVEN = [
    "Ar", "Be", "Da", "El", "Fa", "Ga", "Ha", "Ili", "Jo", "Ka", "Le", "Mi", "Na", "Ro", "Sa",
    "Te", "Va", "Ze", "Lu", "Ne",
]  # fmt: skip
_GIVEN_END = ["ra", "na", "lia", "mir", "dan", "sa", "ta", "vin", "ela", "ko", "ris", "mo"]
_FAMILY = ["Dor", "Kal", "Mer", "Pel", "Ras", "Sol", "Tar", "Vel", "Zan", "Bor", "Fen", "Gol"]
_FAMILY_END = ["ović", "iq", "aj", "eski", "ani", "ić", "ollari", "enko", "awi", "ezi"]
#: The organisations whose scale staff may record identities (case managers, service providers
#: and identification officers hold `cases.change_identity`; frontline professionals do not).
IDENTITY_SECTORS = {
    s
    for s, (_n, role, _w, _f) in STAFF.items()
    if role in ("case_manager", "service_provider", "identification_officer")
}
#: Share of the cases closed, by how many days ago they were opened.
CLOSED_SHARE = [(365, 0.8), (90, 0.4), (0, 0.05)]


def invented_name(rng: random.Random) -> tuple[str, str]:
    given = rng.choice(_GIVEN) + rng.choice(_GIVEN_END)
    family = rng.choice(_FAMILY) + rng.choice(_FAMILY_END)
    return given, family


def scale_existing(run) -> None:
    """How many generated cases exist already (the run adds the rest)."""
    run.existing = Case.objects.filter(
        is_demo=True,
        participant__code=run.participant_code,
        created_by__username__startswith="scale.",
    ).count()


#: The columns of a timeline entry as `case_event` holds it.
EVENT_COLUMNS = ("case_id", "actor_id", "organisation_id", "kind", "detail", "at")


def case_event(events, case, actor, kind, at, organisation_id=None, **detail):
    """Append a timeline entry of `case` (the values of `EVENT_COLUMNS`, written in bulk at the
    batch's end: a model instance per entry would cost more than writing it)."""
    events.append(
        (
            case.pk,
            actor.pk if actor is not None else None,
            organisation_id or case.organisation_id,
            kind,
            detail,
            at,
        )
    )


def scale_cases(batch) -> None:
    run = batch.run
    rng = batch.rng("cases")
    staff, organisations = run.shared["staff"], run.shared["organisations"]
    identification = organisations["identification_body"]
    officers = staff["identification_body"]
    leads = batch.records["lead"]
    citizenships = [c for c, _w in CITIZENSHIP]
    weights = [w for _c, w in CITIZENSHIP]
    plans = []
    for index in batch.indices():
        # Every draw is made for every case of the batch, written or not (see core.scale).
        draw = {
            "code": batch.code(rng),
            "citizenship": rng.choices(citizenships, weights=weights)[0],
            "female": rng.random(),
            "control": rng.sample(MethodOfControl.values, rng.randint(0, 3)),
            "abroad": rng.random() < 0.35,
            "country": rng.choice(["DE", "AT", "IT", "TR", "GR", "HR"]),
            "identity": rng.random() < 0.95,
            "name": invented_name(rng),
            "decided": rng.random() < 0.4,
            "actual": rng.random() < 0.8,
            "decision_days": rng.randint(1, 20),
            "officer": rng.choice(officers),
            "closed": rng.random(),
            "referred": rng.random() < 0.5,
            "open_days": rng.randint(20, 400),
            "follow_up": rng.random() < 0.1,
        }
        if batch.writes(index):
            plans.append((index, leads[index], draw))
    cases = []
    for _index, screening, draw in plans:
        # Opened soon after the screening, never after the run (a screening of the last minutes).
        opened = min(screening.completed_at + timedelta(minutes=10), run.now)
        forms = [SCREENING_FORMS[f] for f in screening.exploitation if f in SCREENING_FORMS]
        share = FEMALE_SHARE.get(forms[0] if forms else "", 0.6)
        citizenship = draw["citizenship"]
        if citizenship == "local":
            citizenship = run.participant_code
        case = Case(
            code=f"{run.participant_code}-{opened.year}-{draw['code']}",
            organisation=screening.organisation,
            participant=screening.participant,
            created_by=screening.created_by,
            sex=Sex.FEMALE if draw["female"] < share else Sex.MALE,
            age=screening.age,
            is_child=screening.age_group == "child",
            citizenship=citizenship,
            exploitation_country=(draw["country"] if draw["abroad"] else run.participant_code),
            exploitation=forms,
            control_methods=draw["control"],
            created_at=opened,
            updated_at=opened,
            is_demo=True,
        )
        if screening.outcome == "presumed_victim":
            case.reflection_started_at = opened
        cases.append(case)
    insert_objects(Case, cases)
    links, events, consents, identities, decisions = [], [], [], [], []
    through = Case.screenings.through
    for case, (_index, screening, draw) in zip(cases, plans, strict=True):
        actor = case.created_by
        opened = case.created_at
        links.append((case.pk, screening.pk))
        case_event(events, case, actor, "case.opened", opened, screening=screening.reference)
        batch.log(
            "case.open",
            actor=actor,
            obj=case,
            organisation_id=case.organisation_id,
            detail={"screening": screening.pk},
        )
        consent = Consent(
            case=case,
            purpose="assistance",
            information_version="info-2026-1",
            given_by=ConsentGiver.GUARDIAN if case.is_child else ConsentGiver.PERSON,
            child_views="Wants to stay with a relative." if case.is_child else "",
            recorded_at=opened + timedelta(minutes=5),
            recorded_by=actor,
        )
        consents.append(consent)
        last = opened
        if draw["identity"] and case.organisation.sector in IDENTITY_SECTORS:
            given, family = draw["name"]
            language = LANGUAGES.get(case.citizenship, "")
            at = opened + timedelta(minutes=20)
            identities.append(
                Identity(
                    case=case,
                    given_names=given,
                    family_name=family,
                    languages=[language] if language else [],
                    family_name_index=blind_index(family, purpose="family_name"),
                    full_name_index=blind_index(f"{given} {family}", purpose="full_name"),
                    updated_at=at,
                    updated_by=actor,
                )
            )
            fields = ["family_name", "given_names", "languages"]
            case_event(events, case, actor, "identity.updated", at, fields=fields)
            batch.log(
                "identity.update",
                actor=actor,
                obj=case,
                organisation_id=case.organisation_id,
                detail={"fields": fields},
            )
        age_days = max(0, (run.now - opened).days)
        if draw["decided"] and age_days > draw["decision_days"]:
            decided = opened + timedelta(days=draw["decision_days"])
            status = TraffickingStatus.ACTUAL if draw["actual"] else TraffickingStatus.NOT_A_VICTIM
            decisions.append((case, status, decided, draw["officer"]))
            case.trafficking_status = status
            case.version += 1
            if status == TraffickingStatus.ACTUAL and case.reflection_started_at is None:
                case.reflection_started_at = decided
            case_event(
                events,
                case,
                draw["officer"],
                "decision.recorded",
                decided,
                organisation_id=identification.pk,
                status=status,
            )
            last = decided
        closed_share = next(s for days, s in CLOSED_SHARE if age_days >= days)
        if draw["closed"] < closed_share and age_days > draw["open_days"] // 4:
            closed = min(opened + timedelta(days=draw["open_days"]), run.now - timedelta(days=1))
            closed = max(closed, last + timedelta(hours=1))
            case.case_status = CaseStatus.CLOSED_REFERRED if draw["referred"] else CaseStatus.CLOSED
            case.closed_at = closed
            case.version += 1
            last = closed
        elif draw["follow_up"]:
            case.case_status = CaseStatus.FOLLOW_UP
        case.updated_at = last
    insert_objects(Consent, consents)
    for consent in consents:
        case_event(
            events,
            consent.case,
            consent.recorded_by,
            "consent.recorded",
            consent.recorded_at,
            purpose="assistance",
            recipient=None,
        )
        batch.log(
            "consent.record",
            actor=consent.recorded_by,
            obj=consent,
            organisation_id=consent.case.organisation_id,
            detail={"case": consent.case_id, "purpose": "assistance", "recipient": None},
        )
    bulk_insert(Identity, identities)
    insert_rows(through, ["case_id", "screening_id"], links)
    bulk_insert(
        TraffickingDecision,
        [
            TraffickingDecision(
                case=case,
                status=status,
                organisation=identification,
                decided_on=decided.date(),
                recorded_at=decided,
                recorded_by=officer,
            )
            for case, status, decided, officer in decisions
        ],
    )
    for case, status, decided, officer in decisions:
        batch.log(
            "case.decision",
            actor=officer,
            obj=case,
            organisation_id=identification.pk,
            detail={"status": status, "decided_on": decided.date().isoformat()},
        )
    batch.records["cases"] = cases
    batch.records["case_by_index"] = {
        index: c for c, (index, _s, _d) in zip(cases, plans, strict=True)
    }
    batch.records["events"] = events
    run.count("cases", len(cases))
    run.count("identities", len(identities))
    run.count("decisions", len(decisions))


def scale_cases_close(batch) -> None:
    """Close the cases that are closed, after every other step added its part of the timeline;
    then write the timeline and save the cases' final state."""
    events = batch.records["events"]
    for case in batch.records["cases"]:
        if case.closed_at is not None:
            case_event(
                events,
                case,
                case.created_by,
                "case.closed",
                case.closed_at,
                status=case.case_status,
            )
            batch.log(
                "case.close",
                actor=case.created_by,
                obj=case,
                organisation_id=case.organisation_id,
                detail={"status": case.case_status},
            )
    insert_rows(CaseEvent, EVENT_COLUMNS, events)
    bulk_set(
        Case,
        batch.records["cases"],
        [
            "case_status",
            "trafficking_status",
            "reflection_started_at",
            "closed_at",
            "version",
            "updated_at",
        ],
    )
    batch.run.count("case events", len(events))
