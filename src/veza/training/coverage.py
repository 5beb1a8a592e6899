"""Who in which organisation of a participant has been trained on the indicators and on the
procedures (SOPs, national referral mechanism), and where nobody has: the national coordinator's
gap view. Counts per organisation and per sector; the names behind them are read separately
(`trained_people`), for the coordinator only, and audited by the page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from veza.organisations.models import Membership, Organisation
from veza.training.choices import INDICATOR_TOPICS, SOP_TOPICS, TRAINED
from veza.training.models import Enrolment

__all__ = ["CoverageRow", "coverage_for", "trained_people"]


@dataclass
class CoverageRow:
    label: str
    organisation: Organisation | None = None
    sector: str = ""
    members: set = field(default_factory=set)
    indicators: set = field(default_factory=set)
    sop: set = field(default_factory=set)

    @property
    def member_count(self) -> int:
        return len(self.members)

    @property
    def indicators_count(self) -> int:
        return len(self.indicators & self.members)

    @property
    def sop_count(self) -> int:
        return len(self.sop & self.members)

    def share(self, count: int) -> int | None:
        return round(100 * count / len(self.members)) if self.members else None

    @property
    def indicators_share(self) -> int | None:
        return self.share(self.indicators_count)

    @property
    def sop_share(self) -> int | None:
        return self.share(self.sop_count)

    @property
    def is_gap(self) -> bool:
        """Members, and none of them trained on either."""
        return bool(self.members) and not (self.indicators_count or self.sop_count)


def _covers(topics, wanted) -> bool:
    return any(t in topics for t in wanted)


def coverage_for(participant) -> dict:
    """Rows per active organisation of the participant and per sector, with the gaps first
    flagged. A member is a person with a live membership; trained means attended or completed
    a course of the participant on the topic, for that organisation."""
    organisations = {
        o.pk: CoverageRow(label=o.name, organisation=o, sector=o.sector)
        for o in Organisation.objects.filter(participant=participant, is_active=True).order_by(
            "name"
        )
    }
    for user_id, organisation_id in (
        Membership.objects.live()
        .filter(organisation_id__in=list(organisations))
        .values_list("user_id", "organisation_id")
    ):
        organisations[organisation_id].members.add(user_id)
    trained = Enrolment.objects.filter(
        course__participant=participant, status__in=TRAINED, organisation_id__in=list(organisations)
    ).values_list("user_id", "organisation_id", "course__topics")
    for user_id, organisation_id, topics in trained:
        row = organisations[organisation_id]
        if _covers(topics or (), INDICATOR_TOPICS):
            row.indicators.add(user_id)
        if _covers(topics or (), SOP_TOPICS):
            row.sop.add(user_id)
    sectors: dict[str, CoverageRow] = defaultdict(lambda: CoverageRow(label=""))
    for row in organisations.values():
        total = sectors[row.sector]
        total.sector = row.sector
        # People are counted per (organisation, person): one person in two organisations counts
        # in each, as they would be trained for each.
        total.members |= {(row.organisation.pk, u) for u in row.members}
        total.indicators |= {(row.organisation.pk, u) for u in row.indicators}
        total.sop |= {(row.organisation.pk, u) for u in row.sop}
    rows = list(organisations.values())
    return {
        "rows": rows,
        "sectors": sorted(sectors.values(), key=lambda r: r.sector),
        "gaps": [r for r in rows if r.is_gap],
    }


def trained_people(participant, organisation) -> list[dict]:
    """The people of one organisation and their training on each topic (personal data of
    professionals: for the coordinator, audited by the caller)."""
    members = {
        m.user_id: m.user
        for m in Membership.objects.live()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    }
    courses: dict[int, list] = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(course__participant=participant, organisation=organisation)
        .select_related("course")
        .order_by("course__starts_on")
    ):
        courses[enrolment.user_id].append(enrolment)
    out = []
    for user_id, user in members.items():
        done = [e for e in courses.get(user_id, []) if e.status in TRAINED]
        out.append(
            {
                "user": user,
                "enrolments": courses.get(user_id, []),
                "indicators": any(_covers(e.course.topics, INDICATOR_TOPICS) for e in done),
                "sop": any(_covers(e.course.topics, SOP_TOPICS) for e in done),
            }
        )
    return out
