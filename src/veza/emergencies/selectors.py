"""Reads of emergency mode: the areas a coordinator may see and the live count of one area.

Counts only: no reference of a screening, case or referral leaves these functions, so the
coordinator's page holds no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from veza.cases.models import Case
from veza.core.scoping import require_perm, visible_or_404
from veza.indicators.choices import Outcome, UrgentFlag
from veza.organisations.models import MANAGE_EMERGENCY, EmergencyArea
from veza.referrals.choices import ReferralStatus
from veza.referrals.models import Referral
from veza.screening.choices import Mode, ScreeningStatus
from veza.screening.models import Screening

__all__ = ["AreaCounts", "Row", "area_counts", "area_get_visible", "area_list_visible"]

#: Up to this long an area's screenings are charted per hour, beyond it per day.
HOURLY_UNTIL = timedelta(hours=48)
#: The chart shows at most this many hours or days (the latest).
CHART_BARS = 60
NO_OUTCOME = "none"


def area_list_visible(*, user) -> QuerySet[EmergencyArea]:
    """The areas of the participants where the user may switch emergency mode: active first,
    then the newest."""
    require_perm(user, MANAGE_EMERGENCY)
    return (
        EmergencyArea.objects.visible_to(user)
        .select_related("participant")
        .prefetch_related("organisations")
        .order_by(F("ended_at").desc(nulls_first=True), "-started_at", "-id")
    )


def area_get_visible(*, user, pk) -> EmergencyArea:
    require_perm(user, MANAGE_EMERGENCY)
    return visible_or_404(EmergencyArea.objects.visible_to(user).select_related("participant"), pk)


@dataclass(frozen=True)
class Row:
    key: str  # the key of the figure in `AreaCounts.flat` (and in counts.json)
    label: str
    n: int


@dataclass(frozen=True)
class AreaCounts:
    screenings: list[tuple[str, Row, Row]]  # (mode label, started, completed); the total last
    in_progress: Row
    outcomes: list[Row]
    urgent: list[Row]
    urgent_any: Row
    referrals: list[Row]
    referrals_total: Row
    cases: Row
    #: (bucket label, quick screens, sector screenings), oldest first
    timeline: list[tuple[str, int, int]]
    hourly: bool
    since: datetime
    until: datetime

    @property
    def flat(self) -> dict[str, int]:
        rows = [row for _label, *pair in self.screenings for row in pair]
        rows += [self.in_progress, *self.outcomes, *self.urgent, self.urgent_any]
        rows += [*self.referrals, self.referrals_total, self.cases]
        return {row.key: row.n for row in rows}


def area_counts(area: EmergencyArea, *, now: datetime | None = None) -> AreaCounts:
    """What the area's organisations did since emergency mode started (until it ended):
    screenings by kind and outcome, urgent flags, screenings per hour or day, referrals sent and
    cases opened. Seven queries, whatever the number of records."""
    now = now or timezone.now()
    until = area.ended_at or now
    organisations = list(area.organisations.values_list("pk", flat=True))
    window = Q(created_at__gte=area.started_at, created_at__lte=until)
    screenings = Screening.objects.filter(window, organisation_id__in=organisations).order_by()

    by_kind: dict[tuple[str, str, str], int] = {}
    for row in screenings.values("mode", "status", "outcome").annotate(n=Count("pk")):
        by_kind[(row["mode"], row["status"], row["outcome"])] = row["n"]

    def total(*, mode=None, status=None, outcome=None) -> int:
        return sum(
            n
            for (m, s, o), n in by_kind.items()
            if mode in (None, m) and status in (None, s) and outcome in (None, o)
        )

    completed = ScreeningStatus.COMPLETED
    kinds = [
        (str(Mode.QUICK.label), f"mode.{Mode.QUICK}", Mode.QUICK),
        (str(Mode.FULL.label), f"mode.{Mode.FULL}", Mode.FULL),
        (_("All screenings"), "total", None),
    ]
    table = [
        (
            label,
            Row(f"{key}.started", _("Started"), total(mode=mode)),
            Row(f"{key}.completed", _("Completed"), total(mode=mode, status=completed)),
        )
        for label, key, mode in kinds
    ]
    in_progress = Row("total.in_progress", _("In progress"), total(status=ScreeningStatus.DRAFT))
    outcomes = [
        Row(f"outcome.{value}", str(label), total(outcome=value))
        for value, label in Outcome.choices
    ]
    outcomes.append(Row(f"outcome.{NO_OUTCOME}", _("No outcome yet"), total(outcome="")))

    flags: dict[str, int] = {}
    flagged = 0
    # Grouped by the stored list, so the rows are the few combinations of flags, not screenings.
    for row in screenings.exclude(urgent=[]).values("urgent").annotate(n=Count("pk")):
        flagged += row["n"]
        for flag in set(row["urgent"] or []):
            flags[flag] = flags.get(flag, 0) + row["n"]
    labels = dict(UrgentFlag.choices)
    urgent = [
        Row(f"urgent.{value}", str(label), flags.get(value, 0)) for value, label in labels.items()
    ]
    urgent += [
        Row(f"urgent.{flag}", flag, n) for flag, n in sorted(flags.items()) if flag not in labels
    ]

    sent = dict(
        Referral.objects.filter(window, from_organisation_id__in=organisations)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    referrals = [
        Row(f"referrals.{value}", str(label), sent.get(value, 0))
        for value, label in ReferralStatus.choices
    ]
    cases = Case.objects.filter(window, organisation_id__in=organisations).count()

    hourly = until - area.started_at <= HOURLY_UNTIL
    return AreaCounts(
        screenings=table,
        in_progress=in_progress,
        outcomes=outcomes,
        urgent=urgent,
        urgent_any=Row("urgent.any", _("Screenings with an urgent flag"), flagged),
        referrals=referrals,
        referrals_total=Row("referrals.total", _("All referrals"), sum(sent.values())),
        cases=Row("cases", _("Cases opened"), cases),
        timeline=_timeline(screenings, area.started_at, until, hourly=hourly),
        hourly=hourly,
        since=area.started_at,
        until=until,
    )


def _timeline(screenings, since: datetime, until: datetime, *, hourly: bool):
    """Screenings started per hour (or day) in local time, every bucket present, even empty."""
    zone = timezone.get_current_timezone()
    trunc = TruncHour if hourly else TruncDay
    found: dict[datetime, list[int]] = {}
    for row in (
        screenings.annotate(bucket=trunc("created_at", tzinfo=zone))
        .values("bucket", "mode")
        .annotate(n=Count("pk"))
    ):
        counts = found.setdefault(timezone.localtime(row["bucket"], zone), [0, 0])
        counts[0 if row["mode"] == Mode.QUICK else 1] += row["n"]
    start = timezone.localtime(since, zone).replace(minute=0, second=0, microsecond=0)
    end = timezone.localtime(until, zone)
    buckets = []
    if hourly:
        at = start
        while at <= end:
            buckets.append(at)
            at = timezone.localtime(at + timedelta(hours=1), zone)
    else:
        day, last = start.date(), end.date()
        while day <= last:
            buckets.append(timezone.make_aware(datetime.combine(day, datetime.min.time()), zone))
            day += timedelta(days=1)
    buckets = buckets[-CHART_BARS:]
    rows, day = [], None
    for at in buckets:
        if not hourly:
            label = date_format(at, "SHORT_DATE_FORMAT")
        elif at.date() != day:  # the date once a day, then the hours
            label = date_format(at, "SHORT_DATETIME_FORMAT")
        else:
            label = time_format(at)
        day = at.date()
        rows.append((label, *found.get(at, [0, 0])))
    return rows
