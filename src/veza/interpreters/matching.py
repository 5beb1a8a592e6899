"""Matching interpreters to a request: hard constraints, then an explained score. Pure Python.

`match` applies the hard constraints in the fixed order of `CONSTRAINTS` (cheapest first) and
excludes each candidate with the first one it fails; the others are scored, and every `Reason`
carries the points it added, so a score is always the sum of its reasons. `Pool` indexes a large
pool once (languages; availability and bookings sorted, merged and held as integers for bisection)
for repeated matching; `match` on a plain list gives the same result by linear scans. A match
allocates little beyond the candidates who speak one of the person's languages, so that a pool of
10,000 answers in milliseconds (bench/interpreter_matching.py).

Rules worth knowing:

- Language codes (ISO 639-3) match exactly: a request lists every code it accepts, e.g.
  ``("kmr", "kur")``. A person's language equal to the target language is ignored as a source.
- A candidate needs one of the person's languages at ``min_proficiency`` or above; the language
  that scores best (level, the person's order of preference, dialect) counts. Dialect is soft.
  Into the target language they need the same level, or to list it in ``target_languages``.
- Vetting must be valid on the request's (start) date, and on ``today`` if that is later.
- Availability windows that touch or overlap are merged: 09-13 and 13-17 cover 11-15. A booking
  that only touches the request (ends as it starts) is no clash.
- Empty or reversed intervals are ignored.
- On site, ``travel_km_max`` is enforced when both places are known (great-circle distance); an
  unknown distance excludes no one but earns no distance points.
- Excluded candidates are listed closest to eligible first (see `ExcludedList`), so that "free
  if the time moved" comes before "does not speak the language".

Soft criteria and their points (`Weights`, the defaults; each is the most a criterion adds):

=================== ======================================================================
language            15 * level factor (5: 1, 4: 0.7, 3: 0.4, 2: 0.2, 1: 0) * choice factor
                    (the person's 1st language: 1, 2nd: 0.8, later: 0.6)
dialect             8 when the requested dialect is listed for that language
remote / distance   15 for a remote request; on site 15 * 25 / (25 + km), * 1.5 when urgent
setting_experience  12 * (1 - 0.8^n) for n earlier assignments in the request's setting
fair_share          10 * 40 / (40 + hours booked in the last 90 days), * 0.5 when urgent
feedback            12 * mean feedback (0..1); no feedback yet counts as 0.5
trained_trafficking 10 in a trafficking setting, else 3
trained_trauma      6 in a trafficking setting, else 3
gender_preferred    10 when the candidate's gender is the preferred one
same_participant    4 when based in the request's participant (knows the local procedure)
=================== ======================================================================

Points are rounded to 0.01; ties are broken by candidate id, so the ranking is deterministic.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from types import MappingProxyType

__all__ = [
    "CONSTRAINTS",
    "REASONS",
    "Candidate",
    "Excluded",
    "ExcludedList",
    "MatchResult",
    "Pool",
    "Ranked",
    "Reason",
    "Request",
    "Skill",
    "Weights",
    "describe",
    "distance_km",
    "explain",
    "match",
]

#: Hard constraints in the order they are checked; an excluded candidate names the first it fails.
CONSTRAINTS = (
    "language_missing",
    "proficiency_low",
    "target_language_missing",
    "vetting_missing",
    "vetting_expired",
    "confidentiality_missing",
    "conflict",
    "gender_required",
    "remote_not_offered",
    "on_site_not_offered",
    "too_far",
    "not_available",
    "double_booked",
)

#: Every reason code with a short English template over its params: documentation, and the
#: caller's fallback when it has no translated sentence for a code.
REASONS: Mapping[str, str] = {
    "language_missing": "speaks none of {languages}",
    "proficiency_low": "speaks {language} only at level {level} (level {required} needed)",
    "target_language_missing": "does not interpret into {language}",
    "vetting_missing": "not vetted",
    "vetting_expired": "vetting valid only until {until}",
    "confidentiality_missing": "has not signed the confidentiality undertaking",
    "conflict": "declared a conflict of interest: {tags}",
    "gender_required": "a {gender} interpreter is required",
    "remote_not_offered": "does not work remotely",
    "on_site_not_offered": "does not work on site",
    "too_far": "based {km} km away, travels up to {max_km} km",
    "not_available": "not available for the whole time requested",
    "double_booked": "already booked {start} to {end}",
    "language": "speaks {language} at level {level} (the person's choice {choice})",
    "dialect": "speaks the {dialect} dialect",
    "remote": "works remotely",
    "distance": "based {km} km away",
    "distance_unknown": "distance unknown",
    "setting_experience": "{count} earlier assignments in the setting {setting}",
    "fair_share": "{hours} hours booked in the last 90 days",
    "feedback": "past feedback {percent}%",
    "feedback_none": "no feedback yet (counted as average)",
    "trained_trafficking": "trained on trafficking in human beings",
    "trained_trauma": "trained in trauma-informed interpreting",
    "gender_preferred": "{gender}, as preferred",
    "same_participant": "based in the same participant ({participant})",
}

_ORDER = {code: n for n, code in enumerate(CONSTRAINTS)}
LEVEL_FACTOR = {5: 1.0, 4: 0.7, 3: 0.4, 2: 0.2, 1: 0.0}
CHOICE_FACTOR = (1.0, 0.8, 0.6)
EARTH_RADIUS_KM = 6371.0088
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Weights:
    """The most each soft criterion adds; see the table in the module's docstring."""

    language: float = 15.0
    dialect: float = 8.0
    distance: float = 15.0
    distance_half_km: float = 25.0
    urgent_distance: float = 1.5
    setting_experience: float = 12.0
    experience_decay: float = 0.8
    fair_share: float = 10.0
    fair_share_hours: float = 40.0
    urgent_fair_share: float = 0.5
    feedback: float = 12.0
    trafficking_training: float = 10.0
    trafficking_training_other: float = 3.0
    trauma_training: float = 6.0
    trauma_training_other: float = 3.0
    gender_preferred: float = 10.0
    same_participant: float = 4.0


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Skill:
    language: str  # ISO 639-3
    proficiency: int  # 5 native, 4 fluent (C1/C2), 3 working (B2), 2 basic, 1 beginner
    dialects: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    id: int
    gender: str  # "female" | "male" | "other"
    skills: tuple[Skill, ...]
    target_languages: frozenset[str]  # interprets into these (the professionals' side)
    participant: str
    location: tuple[float, float] | None  # (lat, lon) of their base
    remote: bool
    on_site: bool
    vetted_until: date | None
    confidentiality_signed: bool
    conflicts: frozenset[str]  # lower-case tags they must not interpret for
    available: tuple[tuple[datetime, datetime], ...]
    busy: tuple[tuple[datetime, datetime], ...]  # bookings that hold their time, any order
    settings_done: Mapping[str, int]
    trafficking_trained: bool
    trauma_trained: bool
    recent_hours: float  # booked in the last 90 days
    feedback: float | None  # mean, 0..1
    travel_km_max: float | None = None


@dataclass(frozen=True)
class Request:
    languages: tuple[str, ...]  # the person's, in order of preference; any one suffices
    target_language: str
    start: datetime
    end: datetime
    remote: bool
    location: tuple[float, float] | None
    participant: str
    min_proficiency: int = 4
    dialect: str = ""
    gender_required: str = ""
    gender_preferred: str = ""
    setting: str = "other"
    avoid: frozenset[str] = frozenset()
    urgent: bool = False
    trafficking_setting: bool = True

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise ValueError("the request's start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("the request must end after it starts")
        if not 1 <= self.min_proficiency <= 5:
            raise ValueError("min_proficiency must be between 1 and 5")
        target = self.target_language.lower()
        if not [code for code in self.languages if code.lower() != target]:
            raise ValueError("the request names no language of the person other than the target")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    points: float = 0.0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (tuples become lists), e.g. for a booking's stored reasons."""
        params = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()}
        return {"code": self.code, "params": params, "points": self.points}


_FIXED = {  # the reasons without params, shared: a large pool fails them by the thousand
    code: Reason(code, MappingProxyType({}))
    for code in (
        "vetting_missing",
        "confidentiality_missing",
        "remote_not_offered",
        "on_site_not_offered",
        "not_available",
    )
}


@dataclass(frozen=True, slots=True)
class Ranked:
    candidate_id: int
    score: float
    reasons: tuple[Reason, ...]  # by points, highest first; their points sum to the score


@dataclass(frozen=True, slots=True)
class Excluded:
    candidate_id: int
    reason: Reason


class ExcludedList(Sequence[Excluded]):
    """The excluded candidates, closest to eligible first: by the hard constraint they failed,
    latest in `CONSTRAINTS` first, then by id; those who speak none of the person's languages
    come last and are made only when read (most of a large pool, on every request)."""

    __slots__ = ("_failed", "_missing", "_unspoken")

    def __init__(self, failed: list[Excluded], unspoken: list[int], missing: Reason) -> None:
        self._failed, self._unspoken, self._missing = failed, unspoken, missing

    def __len__(self) -> int:
        return len(self._failed) + len(self._unspoken)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("excluded index out of range")
        if index < len(self._failed):
            return self._failed[index]
        return Excluded(self._unspoken[index - len(self._failed)], self._missing)

    def __iter__(self) -> Iterator[Excluded]:
        yield from self._failed
        for ident in self._unspoken:
            yield Excluded(ident, self._missing)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ExcludedList({list(self)!r})"

    def counts(self) -> dict[str, int]:
        """How many candidates each hard constraint excluded, in the order of `CONSTRAINTS`."""
        counted = Counter(e.reason.code for e in self._failed)
        counted["language_missing"] += len(self._unspoken)
        return {code: counted[code] for code in CONSTRAINTS if counted[code]}


@dataclass(frozen=True, slots=True)
class MatchResult:
    ranked: list[Ranked]  # best first, at most `limit`
    excluded: ExcludedList  # a sequence of Excluded, closest to eligible first
    eligible: int  # candidates that passed every hard constraint (ranked or beyond the limit)


def describe(reason: Reason) -> str:
    """The English sentence of a reason, from `REASONS`."""
    params = {
        k: ", ".join(map(str, v)) if isinstance(v, tuple | list | frozenset) else v
        for k, v in reason.params.items()
    }
    return REASONS[reason.code].format_map(params)


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (lat, lon) points."""
    return _haversine(*map(math.radians, (*a, *b)))


def _haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _us(moment: datetime) -> int:
    return (moment - _EPOCH) // _US  # a naive datetime raises TypeError


def _merged(intervals: Iterable[tuple[datetime, datetime]]) -> tuple[array, array]:
    """Sorted, disjoint union (touching intervals joined) as start and end microseconds.

    Arrays, not lists: the garbage collector does not walk them, so a large pool adds almost
    nothing to the full collections that every process runs now and then."""
    starts = array("q")
    ends = array("q")
    try:
        ordered = sorted([(_us(s), _us(e)) for s, e in intervals])
    except TypeError as error:
        raise ValueError("availability and bookings must be timezone-aware") from error
    for start, end in ordered:
        if end <= start:
            continue
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


class _Entry:
    """A candidate as matching reads it; `index()` adds what bisection needs (a `Pool` does)."""

    __slots__ = (
        "busy_ends",
        "busy_starts",
        "c",
        "conflicts",
        "dialects",
        "lat",
        "levels",
        "lon",
        "targets",
        "vetted",
        "win_ends",
        "win_starts",
    )

    def __init__(self, c: Candidate) -> None:
        self.c = c
        self.levels: dict[str, int] = {}
        self.dialects: dict[str, frozenset[str]] = {}
        for skill in c.skills:
            lang = skill.language.lower()
            self.levels[lang] = max(self.levels.get(lang, 0), skill.proficiency)
            extra = frozenset(d.casefold() for d in skill.dialects)
            self.dialects[lang] = self.dialects.get(lang, frozenset()) | extra
        self.targets = frozenset(t.lower() for t in c.target_languages)
        self.vetted = c.vetted_until.toordinal() if c.vetted_until else None
        self.conflicts = frozenset(t.casefold() for t in c.conflicts)
        if c.location is None:
            self.lat = self.lon = None
        else:
            self.lat, self.lon = math.radians(c.location[0]), math.radians(c.location[1])
        self.win_starts = self.win_ends = self.busy_starts = self.busy_ends = None

    def index(self) -> None:
        self.win_starts, self.win_ends = _merged(self.c.available)
        self.busy_starts, self.busy_ends = _merged(self.c.busy)

    def covers(self, q: _Query) -> bool:
        if self.win_starts is not None:
            i = bisect_right(self.win_starts, q.start_us) - 1
            return i >= 0 and self.win_ends[i] >= q.end_us
        start, end = q.start, q.end
        relevant = []
        for ws, we in self.c.available:
            if ws <= start and end <= we:
                return True
            if ws < end and we > start:
                relevant.append((ws, we))
        reached = start  # windows that touch or overlap may cover it together
        for ws, we in sorted(relevant):
            if ws > reached:
                return False
            reached = max(reached, we)
            if reached >= end:
                return True
        return False

    def clash(self, q: _Query) -> tuple[datetime, datetime] | None:
        """The earliest booking that overlaps the request, or None."""
        if self.busy_starts is not None:
            j = bisect_right(self.busy_ends, q.start_us)
            if j == len(self.busy_starts) or self.busy_starts[j] >= q.end_us:
                return None
        start, end = q.start, q.end
        overlapping = [(bs, be) for bs, be in self.c.busy if bs < end and be > start and bs < be]
        return min(overlapping, key=lambda b: (_us(b[0]), _us(b[1]))) if overlapping else None


class _Query:
    """A request with everything matching needs worked out once."""

    def __init__(self, r: Request, today: date, w: Weights) -> None:
        self.w = w
        self.target = r.target_language.lower()
        self.sources = tuple(
            dict.fromkeys(code.lower() for code in r.languages if code.lower() != self.target)
        )
        self.min_level = r.min_proficiency
        self.dialect = r.dialect.strip()
        self.dialect_key = self.dialect.casefold()
        self.day = max(today, r.start.date()).toordinal()
        self.avoid = frozenset(t.casefold() for t in r.avoid)
        self.gender_required = r.gender_required
        self.gender_preferred = r.gender_preferred if not r.gender_required else ""
        self.remote = r.remote
        self.location = r.location
        self.lat, self.lon = map(math.radians, r.location) if r.location else (0.0, 0.0)
        self.start, self.end = r.start, r.end
        self.start_us, self.end_us = _us(r.start), _us(r.end)
        self.setting = r.setting
        self.participant = r.participant
        self.distance_w = w.distance * (w.urgent_distance if r.urgent else 1.0)
        self.fair_w = w.fair_share * (w.urgent_fair_share if r.urgent else 1.0)
        self.trafficking_w = (
            w.trafficking_training if r.trafficking_setting else w.trafficking_training_other
        )
        self.trauma_w = w.trauma_training if r.trafficking_setting else w.trauma_training_other
        # Reasons shared by every candidate that fails the same way in this request.
        self.missing = Reason("language_missing", {"languages": self.sources})
        self.target_missing = Reason("target_language_missing", {"language": self.target})
        self.gender_missing = Reason("gender_required", {"gender": r.gender_required})


def _language_points(q: _Query, e: _Entry, lang: str, level: int, choice: int) -> float:
    points = q.w.language * LEVEL_FACTOR.get(level, 0.0) * CHOICE_FACTOR[min(choice, 2)]
    if q.dialect_key and q.dialect_key in e.dialects.get(lang, ()):
        points += q.w.dialect
    return points


def _first_failure(e: _Entry, q: _Query):
    """The `Reason` of the first hard constraint failed, or None and (language, level, choice,
    km) for an eligible candidate."""
    c = e.c
    best = low = None
    best_points = -1.0
    for choice, lang in enumerate(q.sources):
        level = e.levels.get(lang)
        if level is None:
            continue
        if level < q.min_level:
            if low is None or level > low[1]:
                low = (lang, level)
        elif (points := _language_points(q, e, lang, level, choice)) > best_points:
            best, best_points = (lang, level, choice), points
    if best is None:
        if low is None:
            return q.missing, None
        params = {"language": low[0], "level": low[1], "required": q.min_level}
        return Reason("proficiency_low", params), None
    if q.target not in e.targets and e.levels.get(q.target, 0) < q.min_level:
        return q.target_missing, None
    if e.vetted is None:
        return _FIXED["vetting_missing"], None
    if e.vetted < q.day:
        return Reason("vetting_expired", {"until": c.vetted_until.isoformat()}), None
    if not c.confidentiality_signed:
        return _FIXED["confidentiality_missing"], None
    if q.avoid and (hit := e.conflicts & q.avoid):
        return Reason("conflict", {"tags": tuple(sorted(hit))}), None
    if q.gender_required and c.gender != q.gender_required:
        return q.gender_missing, None
    km = None
    if q.remote:
        if not c.remote:
            return _FIXED["remote_not_offered"], None
    else:
        if not c.on_site:
            return _FIXED["on_site_not_offered"], None
        if q.location is not None and e.lat is not None:
            km = _haversine(e.lat, e.lon, q.lat, q.lon)
            if c.travel_km_max is not None and km > c.travel_km_max:
                return Reason("too_far", {"km": round(km, 1), "max_km": c.travel_km_max}), None
    if not e.covers(q):
        return _FIXED["not_available"], None
    if (booked := e.clash(q)) is not None:
        params = {"start": booked[0].isoformat(), "end": booked[1].isoformat()}
        return Reason("double_booked", params), None
    return None, (*best, km)


def _score_items(e: _Entry, q: _Query, lang: str, level: int, choice: int, km: float | None):
    """(code, points, params) of every soft criterion that applies."""
    c, w = e.c, q.w
    items = [
        (
            "language",
            round(w.language * LEVEL_FACTOR.get(level, 0.0) * CHOICE_FACTOR[min(choice, 2)], 2),
            {"language": lang, "level": level, "choice": choice + 1},
        )
    ]
    if q.dialect_key and q.dialect_key in e.dialects.get(lang, ()):
        items.append(("dialect", round(w.dialect, 2), {"dialect": q.dialect}))
    if q.remote:
        items.append(("remote", round(q.distance_w, 2), {}))
    elif km is None:
        items.append(("distance_unknown", 0.0, {}))
    else:
        half = w.distance_half_km
        items.append(
            ("distance", round(q.distance_w * half / (half + km), 2), {"km": round(km, 1)})
        )
    count = c.settings_done.get(q.setting, 0)
    if count > 0:
        points = round(w.setting_experience * (1 - w.experience_decay**count), 2)
        items.append(("setting_experience", points, {"setting": q.setting, "count": count}))
    hours = max(0.0, c.recent_hours)
    points = round(q.fair_w * w.fair_share_hours / (w.fair_share_hours + hours), 2)
    items.append(("fair_share", points, {"hours": round(hours, 1)}))
    if c.feedback is None:
        items.append(("feedback_none", round(w.feedback * 0.5, 2), {}))
    else:
        mean = min(1.0, max(0.0, c.feedback))
        items.append(("feedback", round(w.feedback * mean, 2), {"percent": round(100 * mean)}))
    if c.trafficking_trained:
        items.append(("trained_trafficking", round(q.trafficking_w, 2), {}))
    if c.trauma_trained:
        items.append(("trained_trauma", round(q.trauma_w, 2), {}))
    if q.gender_preferred and c.gender == q.gender_preferred:
        items.append(("gender_preferred", round(w.gender_preferred, 2), {"gender": c.gender}))
    if q.participant and c.participant == q.participant:
        items.append(
            ("same_participant", round(w.same_participant, 2), {"participant": c.participant})
        )
    return [i for i in items if i[1] > 0 or i[0] in ("language", "distance_unknown")]


def _run(entries: Iterable[_Entry], unspoken: list[int], q: _Query, limit: int | None):
    failed: list[Excluded] = []
    eligible = []
    for e in entries:
        reason, detail = _first_failure(e, q)
        if reason is not None:
            failed.append(Excluded(e.c.id, reason))
            continue
        items = _score_items(e, q, *detail)
        eligible.append((-round(sum(points for _, points, _ in items), 2), e.c.id, items))
    failed.sort(key=lambda x: -_ORDER[x.reason.code])  # stable: by id within a constraint
    eligible.sort(key=lambda t: (t[0], t[1]))
    ranked = [
        Ranked(
            ident,
            -negative,
            tuple(
                Reason(code, params, points)
                for code, points, params in sorted(items, key=lambda i: (-i[1], i[0]))
            ),
        )
        for negative, ident, items in (eligible if limit is None else eligible[:limit])
    ]
    excluded = ExcludedList(failed, unspoken, q.missing)
    return MatchResult(ranked=ranked, excluded=excluded, eligible=len(eligible))


def _entries(candidates: Iterable[Candidate]) -> list[_Entry]:
    entries = sorted((_Entry(c) for c in candidates), key=lambda e: e.c.id)
    for before, after in pairwise(entries):
        if before.c.id == after.c.id:
            raise ValueError(f"candidate {after.c.id} is given twice")
    return entries


class Pool:
    """Candidates indexed once for repeated matching: by language, with availability and
    bookings merged and sorted for bisection. Build it again (or a new one) when they change."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        entries = _entries(candidates)
        self._ids = [e.c.id for e in entries]
        self._by_id = {e.c.id: e for e in entries}
        self._speakers: dict[str, set[int]] = {}
        for e in entries:
            e.index()
            for lang in e.levels:
                self._speakers.setdefault(lang, set()).add(e.c.id)

    def __len__(self) -> int:
        return len(self._ids)

    def match(
        self,
        request: Request,
        *,
        today: date,
        limit: int | None = 10,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> MatchResult:
        """Rank the eligible candidates (at most `limit`, None for all); explain the others."""
        q = _Query(request, today, weights)
        speakers: set[int] = set().union(*(self._speakers.get(lang, ()) for lang in q.sources))
        unspoken = [ident for ident in self._ids if ident not in speakers]
        return _run((self._by_id[i] for i in sorted(speakers)), unspoken, q, limit)


def match(
    request: Request,
    candidates: Pool | Iterable[Candidate],
    *,
    today: date,
    limit: int | None = 10,
    weights: Weights = DEFAULT_WEIGHTS,
) -> MatchResult:
    """Rank the eligible candidates (at most `limit`, None for all) and give every other one the
    first hard constraint it fails. A `Pool` is matched through its indexes; a plain list (fine
    for hundreds of candidates) by linear scans, with the same result."""
    if isinstance(candidates, Pool):
        return candidates.match(request, today=today, limit=limit, weights=weights)
    return _run(_entries(candidates), [], _Query(request, today, weights), limit)


def explain(
    request: Request, candidate: Candidate, *, today: date, weights: Weights = DEFAULT_WEIGHTS
) -> Ranked | Excluded:
    """One candidate against a request: its score and reasons, or why it is excluded."""
    result = _run([_Entry(candidate)], [], _Query(request, today, weights), None)
    return result.ranked[0] if result.ranked else result.excluded[0]
