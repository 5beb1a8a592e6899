"""How long matching a request against the joint interpreter pool takes, with and without the index.

    .venv/bin/python bench/interpreter_matching.py [--interpreters 10000] [--requests 500]
        [--bookings 200] [--baseline 100] [--seed 7] [--gc-freeze]

Generates (seeded, not timed) a pool of interpreters across the six Western Balkan participants:
their local languages to interpret into, 1-3 languages of people on the move at realistic
frequencies, a year of availability windows (weekday hours, blocks of weeks, or on call) and
about `--bookings` bookings each in that year, in no particular order. Then it measures:
  pool:     building `Pool` once (indexes: languages; windows and bookings merged and sorted)
  indexed:  `Pool.match` for `--requests` varied requests (median, p95, max)
  baseline: `match` on the plain list (same rules, candidate by candidate, linear scans of every
            window and booking, no index) for the first `--baseline` requests, in the same run,
            and checks that both give identical results.
  day slice: `match` on the plain list of the speakers of the person's languages with only their
            windows and bookings within a day of the request (the slicing is not timed), as the
            Django side loads them from the database today; checks the ranking is the same.
With --gc-freeze, gc.freeze() after the build keeps full garbage collections off the pool.
No database and no Django: the matching engine is pure Python.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from veza.interpreters.matching import Candidate, Pool, Request, Skill, match

YEAR = datetime(2027, 1, 1, tzinfo=UTC)
TODAY = date(2026, 11, 25)
DAY = timedelta(days=1)

PARTICIPANTS = {  # share of the pool, local languages, towns (lat, lon)
    "RS": (30, ("srp",), [(44.8125, 20.4612), (45.2671, 19.8335), (43.3209, 21.8958),
                          (46.1000, 19.6658), (42.3092, 21.6492), (45.1283, 19.2264)]),
    "BA": (18, ("bos", "hrv", "srp"), [(43.8563, 18.4131), (44.8169, 15.8708),
                                       (44.5384, 18.6763), (43.3438, 17.8078)]),
    "AL": (17, ("sqi",), [(41.3275, 19.8187), (41.3231, 19.4414), (42.0693, 19.5126),
                          (40.0731, 20.1390)]),
    "MK": (15, ("mkd", "sqi"), [(41.9981, 21.4254), (41.1392, 22.5025), (42.1322, 21.7144),
                                (41.0297, 21.3292)]),
    "XK": (12, ("sqi", "srp"), [(42.6629, 21.1655), (42.2139, 20.7397)]),
    "ME": (8, ("cnr", "srp"), [(42.4304, 19.2594), (42.0931, 19.1003)]),
}  # fmt: skip

#: Languages interpreters offer besides their local ones (weights), and languages requested.
OFFERED = {
    "eng": 30, "ara": 12, "fra": 6, "fas": 6, "prs": 6, "pus": 6, "urd": 6, "tur": 5, "rus": 4,
    "ukr": 4, "ben": 3, "rom": 3, "deu": 3, "ita": 2, "kmr": 2, "ckb": 1, "tir": 1.5, "som": 1,
    "ell": 1, "hin": 1, "amh": 1,
}  # fmt: skip
REQUESTED = {
    "ara": 18, "pus": 12, "prs": 12, "urd": 10, "fas": 8, "ben": 6, "fra": 6, "eng": 6,
    "tur": 5, "ukr": 5, "kmr": 4, "tir": 3, "som": 3, "rus": 3, "rom": 3, "ckb": 2,
}  # fmt: skip
DIALECTS = {
    "ara": ("levantine", "iraqi", "maghrebi", "egyptian", "gulf"),
    "pus": ("kandahari", "yusufzai"),
    "kmr": ("badini",),
    "fas": ("tehrani",),
}
SETTINGS = ("police_interview", "medical", "court", "shelter", "counselling", "labour_inspection")
TAGS = tuple(f"community-{c}" for c in "abcdefghij")


def pick(rng: random.Random, weights: dict[str, float], k: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < k:
        lang = rng.choices(list(weights), list(weights.values()))[0]
        if lang not in chosen:
            chosen.append(lang)
    return chosen


def at(day: int, minutes: int) -> datetime:
    return YEAR + timedelta(days=day, minutes=minutes)


def availability(rng: random.Random) -> list[tuple[datetime, datetime]]:
    kind = rng.random()
    if kind < 0.05:  # on call all year
        return [(YEAR, YEAR + 365 * DAY)]
    if kind < 0.30:  # blocks of one to four weeks with gaps
        windows, day = [], rng.randrange(14)
        while day < 365:
            length = 7 * rng.randint(1, 4)
            windows.append((at(day, 0), at(min(day + length, 365), 0)))
            day += length + 7 * rng.randint(1, 3)
        return windows
    weekdays = rng.sample(range(5), rng.randint(2, 5))
    split = rng.random() < 0.2  # morning and afternoon as two touching windows
    windows = []
    for day in range(365):
        if (YEAR + day * DAY).weekday() in weekdays and rng.random() < 0.9:
            if split:
                windows += [
                    (at(day, 7 * 60), at(day, 11 * 60)),
                    (at(day, 11 * 60), at(day, 16 * 60)),
                ]
            else:
                windows.append((at(day, 7 * 60), at(day, 16 * 60)))
    return windows


def bookings(rng: random.Random, n: int) -> list[tuple[datetime, datetime]]:
    booked = []
    for _ in range(n):
        start = at(rng.randrange(365), rng.randrange(7 * 60, 15 * 60, 30))
        booked.append((start, start + timedelta(minutes=30 * rng.randint(2, 8))))
    return booked


def interpreter(rng: random.Random, ident: int, n_bookings: int) -> Candidate:
    participant = rng.choices(list(PARTICIPANTS), [p[0] for p in PARTICIPANTS.values()])[0]
    _, local, towns = PARTICIPANTS[participant]
    lat, lon = rng.choice(towns)
    heritage = rng.random() < 0.15  # grew up speaking a language of people on the move
    skills = [Skill(local[0], 4 if heritage else 5)]
    targets = {local[0]}
    for other in local[1:]:
        if rng.random() < 0.5:
            skills.append(Skill(other, rng.choice((4, 5))))
            targets.add(other)
    for n, lang in enumerate(pick(rng, OFFERED, rng.choices((1, 2, 3), (5, 4, 1))[0])):
        level = 5 if heritage and n == 0 else rng.choices((5, 4, 3, 2), (1, 4, 3, 2))[0]
        dialects = DIALECTS.get(lang, ())
        skills.append(Skill(lang, level, frozenset(rng.sample(dialects, min(len(dialects), 2)))))
    if rng.random() < 0.4:
        targets.add("eng")
    on_site = rng.random() < 0.85
    return Candidate(
        id=ident,
        gender=rng.choices(("female", "male", "other"), (52, 46, 2))[0],
        skills=tuple(skills),
        target_languages=frozenset(targets),
        participant=participant,
        location=(lat + rng.uniform(-0.1, 0.1), lon + rng.uniform(-0.1, 0.1)),
        remote=rng.random() < 0.7 or not on_site,
        on_site=on_site,
        vetted_until=None if rng.random() < 0.05 else date(2026, 6, 1) + rng.randrange(730) * DAY,
        confidentiality_signed=rng.random() < 0.95,
        conflicts=frozenset(rng.sample(TAGS, 2)) if rng.random() < 0.1 else frozenset(),
        available=tuple(availability(rng)),
        busy=tuple(bookings(rng, n_bookings)),
        settings_done={s: rng.randrange(12) for s in SETTINGS if rng.random() < 0.5},
        trafficking_trained=rng.random() < 0.5,
        trauma_trained=rng.random() < 0.4,
        recent_hours=rng.choice((0.0, rng.uniform(0, 200))),
        feedback=None if rng.random() < 0.3 else rng.uniform(0.5, 1.0),
        travel_km_max=rng.choice((None, None, 50.0, 100.0, 200.0, 400.0)),
    )


def request(rng: random.Random) -> Request:
    participant = rng.choices(list(PARTICIPANTS), [p[0] for p in PARTICIPANTS.values()])[0]
    _, local, towns = PARTICIPANTS[participant]
    languages = pick(rng, REQUESTED, 1 if rng.random() < 0.7 else 2)
    start = at(rng.randrange(365), rng.randrange(7 * 60, 15 * 60, 30))
    remote = rng.random() < 0.4
    gender = rng.choice(("female", "male"))
    return Request(
        languages=tuple(languages),
        target_language="eng" if rng.random() < 0.1 and "eng" not in languages else local[0],
        start=start,
        end=start + timedelta(minutes=30 * rng.randint(2, 6)),
        remote=remote,
        location=None if remote else rng.choice(towns),
        participant=participant,
        min_proficiency=rng.choices((4, 3, 5), (7, 2, 1))[0],
        dialect=rng.choice(DIALECTS.get(languages[0], ("",))) if rng.random() < 0.2 else "",
        gender_required=gender if rng.random() < 0.1 else "",
        gender_preferred=gender if rng.random() < 0.3 else "",
        setting=rng.choice(SETTINGS),
        avoid=frozenset(rng.sample(TAGS, 1)) if rng.random() < 0.1 else frozenset(),
        urgent=rng.random() < 0.15,
        trafficking_setting=rng.random() < 0.8,
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interpreters", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--baseline", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gc-freeze", action="store_true", help="gc.freeze() after the build")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    started = time.perf_counter()
    candidates = []
    for ident in range(1, args.interpreters + 1):
        candidates.append(interpreter(rng, ident, args.bookings))
        if ident % 2000 == 0:
            print(f"generated {ident:,} interpreters", file=sys.stderr, flush=True)
    requests = [request(rng) for _ in range(args.requests)]
    windows = sum(len(c.available) for c in candidates)
    busy = sum(len(c.busy) for c in candidates)
    print(
        f"generated {len(candidates):,} interpreters, {windows:,} windows, {busy:,} bookings, "
        f"{len(requests)} requests in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    started = time.perf_counter()
    pool = Pool(candidates)
    build = time.perf_counter() - started

    if args.gc_freeze:
        gc.freeze()  # the pool's objects are long-lived: keep full collections off them

    # Results are dropped at once, as a web request would: keeping 500 results of 10,000 entries
    # each would make the benchmark, not matching, pay for full garbage collections.
    full_gc = watch_full_collections()
    indexed, eligible = [], []
    for n, r in enumerate(requests, start=1):
        started = time.perf_counter()
        result = pool.match(r, today=TODAY)
        indexed.append(time.perf_counter() - started)
        eligible.append(result.eligible)
        if n % 100 == 0:
            print(f"indexed: {n} requests", file=sys.stderr, flush=True)

    gc.callbacks.remove(full_gc)
    plain, identical = [], True
    for n, r in enumerate(requests[: args.baseline], start=1):
        started = time.perf_counter()
        result = match(r, candidates, today=TODAY)
        plain.append(time.perf_counter() - started)
        identical = identical and result == pool.match(r, today=TODAY)
        if n % 25 == 0:
            print(f"baseline: {n} requests", file=sys.stderr, flush=True)

    sliced, same_ranking = [], True
    for n, r in enumerate(requests[: args.baseline], start=1):
        near = day_slice(r, candidates)  # not timed: the database's work
        started = time.perf_counter()
        result = match(r, near, today=TODAY)
        sliced.append(time.perf_counter() - started)
        expected = pool.match(r, today=TODAY)
        same_ranking = same_ranking and (result.ranked, result.eligible) == (
            expected.ranked,
            expected.eligible,
        )
        if n % 25 == 0:
            print(f"day slice: {n} requests", file=sys.stderr, flush=True)

    ms = 1000
    same = indexed[: len(plain)]
    print(
        f"{args.interpreters:,} interpreters, {busy / len(candidates):.0f} bookings and "
        f"{windows / len(candidates):.0f} windows each; {len(requests)} requests; "
        f"eligible per request: median {statistics.median(eligible):.0f}, max {max(eligible)}"
    )
    print(f"pool built once: {build:.2f} s; peak memory {peak_mb():.0f} MB (generation included)")
    print(
        f"indexed Pool.match: median {statistics.median(indexed) * ms:.1f} ms, "
        f"p95 {percentile(indexed, 0.95) * ms:.1f} ms, max {max(indexed) * ms:.1f} ms; "
        f"{full_gc.count} full garbage collections during them, {full_gc.seconds * ms:.0f} ms"
    )
    if plain:
        print(
            f"baseline match(list) on the first {len(plain)}: median "
            f"{statistics.median(plain) * ms:.1f} ms, p95 {percentile(plain, 0.95) * ms:.1f} ms; "
            f"indexed on the same: median {statistics.median(same) * ms:.1f} ms; ratio of "
            f"medians {statistics.median(plain) / statistics.median(same):.1f}x; "
            f"identical results: {'yes' if identical else 'NO'}"
        )
        print(
            f"day slice, match(list) on the speakers with a day's windows and bookings, on the "
            f"first {len(sliced)}: median {statistics.median(sliced) * ms:.1f} ms, p95 "
            f"{percentile(sliced, 0.95) * ms:.1f} ms; "
            f"same ranking: {'yes' if same_ranking else 'NO'}"
        )


def day_slice(r: Request, candidates: list[Candidate]) -> list[Candidate]:
    """The speakers of the person's languages with only their windows and bookings within a day
    of the request: what `veza.interpreters.selectors.candidates_for` loads from the database."""
    languages, low, high = set(r.languages), r.start - DAY, r.end + DAY
    return [
        replace(
            c,
            available=tuple(w for w in c.available if w[0] < high and w[1] > low),
            busy=tuple(b for b in c.busy if b[0] < high and b[1] > low),
        )
        for c in candidates
        if any(s.language in languages for s in c.skills)
    ]


def watch_full_collections():
    """A gc callback that counts full (generation 2) collections and the time they take."""

    def callback(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            callback.started = time.perf_counter()
        else:
            callback.count += 1
            callback.seconds += time.perf_counter() - callback.started

    callback.count, callback.seconds, callback.started = 0, 0.0, 0.0
    gc.callbacks.append(callback)
    return callback


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
