"""Scale data, part 4: referrals (about 1.3 a case, to the services of the directory, in every
status of the workflow), their consents, deadlines (some overdue), timeline events,
notifications and each case's SOP stage; one audit entry for each service call it stands for."""

from __future__ import annotations

from datetime import timedelta

from veza.cases.models import Consent
from veza.cases.scale import case_event
from veza.core.bulk import bulk_insert, insert_objects
from veza.core.errors import ValidationError
from veza.referrals.choices import DeadlineKind, ReferralStatus, ServiceType
from veza.referrals.models import CaseProgress, Deadline, Notification, Referral, Service
from veza.referrals.services import DEFAULT_SHARED, members_with
from veza.referrals.sop import sop_for

__all__ = [
    "REFERRALS_PER_CASE",
    "SERVICE_SHARE",
    "STATUS_SHARE",
    "scale_directory",
    "scale_referrals",
]

#: How many referrals a case has (share of the cases): 1.3 on average.
REFERRALS_PER_CASE = [(0, 20), (1, 40), (2, 30), (3, 10)]
#: Which services people are referred to.
SERVICE_SHARE = {
    ServiceType.SHELTER: 25,
    ServiceType.IDENTIFICATION: 25,
    ServiceType.MHPSS: 15,
    ServiceType.LEGAL_AID: 15,
    ServiceType.HEALTH: 10,
    ServiceType.EMPLOYMENT: 5,
    ServiceType.INTERPRETATION: 5,
}
S = ReferralStatus
#: Where a referral stands, by the case's state and the referral's age.
STATUS_SHARE = {
    "closed case": [(S.COMPLETED, 65), (S.DECLINED, 15), (S.WITHDRAWN, 20)],
    "older than 30 days": [
        (S.COMPLETED, 45),
        (S.IN_PROGRESS, 25),
        (S.DECLINED, 12),
        (S.WITHDRAWN, 8),
        (S.ACCEPTED, 8),
        (S.SENT, 2),
    ],
    "recent": [
        (S.SENT, 35),
        (S.ACCEPTED, 25),
        (S.IN_PROGRESS, 20),
        (S.DECLINED, 10),
        (S.COMPLETED, 5),
        (S.WITHDRAWN, 5),
    ],
}
#: Notifications are made for the referrals of the last 90 days; those older than a week are read.
NOTIFY_DAYS, READ_AFTER_DAYS = 90, 7
DECLINE_REASONS = [
    "No free place at the moment.",
    "The service does not take this group.",
    "The person is outside our area.",
]


def scale_directory(run) -> None:
    """The participant's service directory (made by `veza demo`) and who answers referrals."""
    services = list(
        Service.objects.filter(organisation__participant__code=run.participant_code, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "service_type")
    )
    if not services:
        raise ValidationError("Run `veza demo` first: the service directory is empty.")
    run.shared["services"] = services
    run.shared["responders"] = {
        s.organisation_id: sorted(
            members_with(s.organisation, "referrals.respond_referral"), key=lambda u: u.pk
        )
        for s in services
    }
    run.shared["sop"] = sop_for(run.participant_code)


def _choose(rng, pairs):
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


def scale_referrals(batch) -> None:
    run = batch.run
    rng = batch.rng("referrals")
    services, responders, sop = run.shared["services"], run.shared["responders"], run.shared["sop"]
    rules = sop["deadlines"]
    stages = [s["id"] for s in sop["stages"]]
    cases = batch.records["case_by_index"]
    events: list = batch.records["events"]
    planned = []
    for index in batch.indices():
        draws = []
        for _n in range(_choose(rng, REFERRALS_PER_CASE)):
            draws.append(
                {
                    "type": _choose(rng, list(SERVICE_SHARE.items())),
                    "pick": rng.random(),
                    "after_hours": rng.randint(1, 96),
                    "urgency": _choose(rng, [("immediate", 20), ("urgent", 30), ("routine", 50)]),
                    "status": rng.random(),
                    "respond_hours": rng.uniform(0.5, 48),
                    "days": rng.randint(3, 120),
                    "responder": rng.random(),
                    "decline": rng.choice(DECLINE_REASONS),
                }
            )
        stage = rng.random()
        case = cases.get(index)
        if case is not None:
            planned.append((case, draws, stage))
    consents, referrals, deadlines, notes, progress = [], [], [], [], []
    for case, draws, stage in planned:
        targets_all = [s for s in services if s.organisation_id != case.organisation_id]
        end = case.closed_at - timedelta(hours=1) if case.closed_at else run.now
        for draw in draws:
            targets = [s for s in targets_all if s.service_type == draw["type"]] or targets_all
            service = targets[int(draw["pick"] * len(targets))]
            sent = min(case.created_at + timedelta(hours=draw["after_hours"]), end)
            age = run.now - sent
            shares = STATUS_SHARE[
                "closed case"
                if case.closed_at
                else "older than 30 days"
                if age > timedelta(days=30)
                else "recent"
            ]
            status = _cumulative(shares, draw["status"])
            who = responders.get(service.organisation_id) or [None]
            responder = who[int(draw["responder"] * len(who))]
            if responder is None and status != S.SENT:
                status = S.WITHDRAWN  # nobody there could have answered it
            actor = case.created_by
            consent = Consent(
                case=case,
                purpose="referral",
                recipient=service.organisation,
                information_version="info-2026-1",
                given_by="guardian" if case.is_child else "person",
                child_views="Agrees to go." if case.is_child else "",
                recorded_at=sent - timedelta(minutes=5),
                recorded_by=actor,
            )
            consents.append(consent)
            responded = min(sent + timedelta(hours=draw["respond_hours"]), end)
            finished = min(responded + timedelta(days=draw["days"]), end)
            referral = Referral(
                case=case,
                from_organisation=case.organisation,
                to_organisation=service.organisation,
                service=service,
                reason="Needs protection and support.",
                urgency=draw["urgency"],
                shared_fields=list(DEFAULT_SHARED),
                consent=consent,
                status=status,
                sent_by=actor,
                created_at=sent,
                is_demo=True,
            )
            steps = []  # (step, at, side organisation, actor)
            if status in (S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED):
                steps.append(("accept", responded, service.organisation, responder))
                referral.responded_by, referral.responded_at = responder, responded
            if status in (S.IN_PROGRESS, S.COMPLETED):
                steps.append(
                    ("start", responded + timedelta(hours=2), service.organisation, responder)
                )
            if status == S.COMPLETED:
                steps.append(
                    (
                        "complete",
                        max(finished, responded + timedelta(hours=3)),
                        service.organisation,
                        responder,
                    )
                )
            if status == S.DECLINED:
                steps.append(("decline", responded, service.organisation, responder))
                referral.responded_by, referral.responded_at = responder, responded
                referral.decline_reason = draw["decline"]
            if status == S.WITHDRAWN:
                steps.append(("withdraw", responded, case.organisation, actor))
            steps = [(step, min(at, end), org, who_) for step, at, org, who_ in steps]
            if status in (S.DECLINED, S.WITHDRAWN, S.COMPLETED):
                referral.closed_at = steps[-1][1]
            referral.version = 1 + len(steps)
            referral.updated_at = steps[-1][1] if steps else sent
            referrals.append((referral, steps, draw))
        progress.append(
            CaseProgress(
                case=case,
                stage=stages[-1]
                if case.closed_at
                else stages[min(int(stage * 3), len(stages) - 1)],
                done=[],
                updated_at=case.updated_at,
            )
        )
    insert_objects(Consent, consents)
    insert_objects(Referral, [r for r, _s, _d in referrals])
    for referral, steps, _draw in referrals:
        case, service = referral.case, referral.service
        sent = referral.created_at
        consent = referral.consent
        case_event(
            events,
            case,
            referral.sent_by,
            "consent.recorded",
            consent.recorded_at,
            purpose="referral",
            recipient=service.organisation_id,
        )
        batch.log(
            "consent.record",
            actor=referral.sent_by,
            obj=consent,
            organisation_id=case.organisation_id,
            detail={"case": case.pk, "purpose": "referral", "recipient": service.organisation_id},
        )
        case_event(
            events,
            case,
            referral.sent_by,
            "referral.sent",
            sent,
            to=service.organisation.name,
            service=service.service_type,
        )
        batch.log(
            "referral.send",
            actor=referral.sent_by,
            obj=referral,
            organisation_id=case.organisation_id,
            detail={
                "case": case.pk,
                "to": service.organisation_id,
                "fields": referral.shared_fields,
                "override": False,
            },
        )
        answered = next(
            (at for step, at, _o, _a in steps if step in ("accept", "decline", "withdraw")), None
        )
        ended = referral.closed_at
        first = Deadline(
            case=case,
            referral=referral,
            organisation=service.organisation,
            kind=DeadlineKind.FIRST_CONTACT,
            due_at=sent + timedelta(hours=rules["first_contact_hours"][referral.urgency]),
            done_at=answered,
        )
        deadlines.append(first)
        if service.service_type == ServiceType.IDENTIFICATION:
            decided = next((at for step, at, _o, _a in steps if step == "start"), ended)
            deadlines.append(
                Deadline(
                    case=case,
                    referral=referral,
                    organisation=service.organisation,
                    kind=DeadlineKind.IDENTIFICATION_DECISION,
                    due_at=sent + timedelta(hours=rules["identification_decision_hours"]),
                    done_at=decided,
                )
            )
        recent = run.now - sent < timedelta(days=NOTIFY_DAYS)
        if recent:
            for user in responders.get(service.organisation_id, []):
                notes.append(_note(run, user, "referral.received", referral, sent))
        for step, at, organisation, actor in steps:
            status = {
                "accept": S.ACCEPTED,
                "start": S.IN_PROGRESS,
                "complete": S.COMPLETED,
                "decline": S.DECLINED,
                "withdraw": S.WITHDRAWN,
            }[step]
            case_event(
                events,
                case,
                actor,
                f"referral.{step}",
                at,
                organisation_id=organisation.pk,
                to=service.organisation.name,
                status=status,
            )
            batch.log(
                f"referral.{step}",
                actor=actor,
                obj=referral,
                organisation_id=organisation.pk,
                detail={"case": case.pk, "status": status},
            )
            if recent and step in ("accept", "decline", "complete"):
                notes.append(_note(run, referral.sent_by, f"referral.{_past(step)}", referral, at))
            if recent and step == "withdraw":
                for user in responders.get(service.organisation_id, []):
                    notes.append(_note(run, user, "referral.withdrawn", referral, at))
    bulk_insert(Deadline, deadlines)
    bulk_insert(Notification, notes)
    bulk_insert(CaseProgress, progress)
    run.count("referrals", len(referrals))
    run.count("deadlines", len(deadlines))
    run.count("notifications", len(notes))
    batch.records["referrals"] = [r for r, _s, _d in referrals]


def _past(step: str) -> str:
    return {"accept": "accepted", "decline": "declined", "complete": "completed"}[step]


def _note(run, user, kind, referral, at) -> Notification:
    return Notification(
        user=user,
        kind=kind,
        referral=referral,
        case=referral.case,
        created_at=at,
        read_at=at + timedelta(hours=3) if run.now - at > timedelta(days=READ_AFTER_DAYS) else None,
    )


def _cumulative(pairs, x: float):
    total = sum(w for _p, w in pairs)
    upto = 0.0
    for value, weight in pairs:
        upto += weight / total
        if x < upto:
            return value
    return pairs[-1][0]
