"""Scale of the release pipeline, and all small-combination aggregates against pac-synth.

    .venv/bin/python bench/release_scale.py --records 10000000 --compare 1000000

Part 1 — generate N synthetic de-identified case records (seeded, CTDC-like columns), then build
a full release: every table of the release specification with its margins, disclosure control
and the LP audit. Reports the time of the release alone (generation excluded) and the process's
peak memory.

Part 2 — on the first M records: every attribute combination of length 1 to 3 over 7 columns,
counted by Veza (one pass to the finest table, then every margin from it) and by Microsoft's
pac-synth 0.0.8 (`Dataset.get_aggregates(3, ";")`, the aggregation the CTDC synthetic data is
built on). The counts must be identical; reports the time ratio.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time

import numpy as np
import polars as pl

COLUMNS = {
    "YEAR": [str(y) for y in range(2003, 2026)],
    "SEX": ["F", "M", "O", "U"],
    "AGE": ["A0_8", "A9_17", "A18_20", "A21_23", "A24_26", "A27_29", "A30_38", "A39_47", "A48P"],
    "CITIZENSHIP": [
        "AL",
        "BA",
        "XK",
        "ME",
        "MK",
        "RS",
        "UA",
        "SY",
        "AF",
        "PK",
        "NG",
        "BD",
        "TR",
        "MD",
        "RO",
        "BG",
        "CN",
        "VN",
        "PH",
        "IN",
    ],
    "EXPLOITATION": [
        "SEXUAL",
        "FORCED_LABOUR",
        "BEGGING",
        "CRIMINALITY",
        "MARRIAGE",
        "DOMESTIC",
        "OTHER",
    ],
    "ID_STATUS": ["FORMAL", "POTENTIAL"],
    "SECTOR": [
        "police",
        "border",
        "social",
        "health",
        "labour",
        "employment",
        "education",
        "shelter",
        "cso",
    ],
}
TABLES = [
    ("YEAR", "SEX", "AGE"),
    ("EXPLOITATION", "SEX"),
    ("CITIZENSHIP",),
    ("ID_STATUS",),
    ("SECTOR",),
    ("YEAR", "EXPLOITATION"),
]


def generate(n: int, seed: int = 20261125) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    data = {}
    for name, codes in COLUMNS.items():
        # Skewed, like real data: a few codes carry most records, some are rare.
        weights = rng.pareto(1.2, len(codes)) + 0.05
        index = rng.choice(len(codes), size=n, p=weights / weights.sum())
        data[name] = pl.Series(name, np.array(codes)[index]).cast(pl.Categorical)
    return pl.DataFrame(data)


def release(frame: pl.DataFrame) -> dict:
    sys.path.insert(0, "src")
    from veza.statistics.disclosure import Table, audit, protect, relations

    withheld = cells = 0
    for dims in TABLES:
        counts = frame.group_by(list(dims)).len()
        interior = {tuple(str(v) for v in row[:-1]): row[-1] for row in counts.iter_rows()}
        table = Table.from_records(dims, {d: COLUMNS[d] for d in dims}, interior)
        protected = protect(table, threshold=5)
        assert audit(protected.published(), relations(table), width=5) == {}
        withheld += len(protected.withheld)
        cells += len(table.cells)
    return {"tables": len(TABLES), "cells": cells, "withheld": withheld}


def veza_aggregates(frame: pl.DataFrame, length: int = 3) -> dict[tuple, pl.DataFrame]:
    """One pass to the finest table, then every margin of up to `length` columns from it."""
    names = list(frame.columns)
    finest = frame.group_by(names).len()
    return {
        combo: finest.group_by(list(combo)).agg(pl.col("len").sum())
        for size in range(1, length + 1)
        for combo in itertools.combinations(names, size)
    }


def as_pacsynth_keys(aggregates: dict[tuple, pl.DataFrame]) -> dict[str, int]:
    out = {}
    for combo, frame in aggregates.items():
        for row in frame.iter_rows():
            # pac-synth orders the attributes of a combination alphabetically.
            key = ";".join(sorted(f"{c}:{v}" for c, v in zip(combo, row[:-1], strict=True)))
            out[key] = row[-1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--compare", type=int, default=1_000_000)
    args = parser.parse_args()

    print(f"generating {args.records:,} records …", file=sys.stderr)
    frame = generate(args.records)
    started = time.perf_counter()
    summary = release(frame)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"release of {args.records:,} records: {elapsed:.2f} s, {summary['tables']} tables, "
        f"{summary['cells']} cells, {summary['withheld']} withheld; peak memory {peak:.0f} MB"
    )

    subset = frame.head(args.compare).with_columns(pl.all().cast(pl.Utf8))
    started = time.perf_counter()
    ours = veza_aggregates(subset)
    veza_time = time.perf_counter() - started
    try:
        import pacsynth
    except ImportError:
        print("pac-synth is not installed (pip install pac-synth==0.0.8): comparison skipped")
        return
    raw = [list(subset.columns)] + [list(r) for r in subset.iter_rows()]
    started = time.perf_counter()
    dataset = pacsynth.Dataset(raw)
    theirs = dataset.get_aggregates(3, ";")
    pac_time = time.perf_counter() - started
    mine = as_pacsynth_keys(ours)
    identical = mine == theirs
    print(
        f"aggregates up to length 3 over 7 columns, {args.compare:,} records: "
        f"Veza {veza_time:.3f} s, pac-synth {pac_time:.3f} s "
        f"(ratio {pac_time / veza_time:.1f}x), {len(mine):,} combinations, identical: {identical}"
    )
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
