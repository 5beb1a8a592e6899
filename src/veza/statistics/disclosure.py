"""Disclosure control of aggregate tables: primary and secondary suppression, and an audit that
solves each published table as a linear programme. Pure Python (numpy, scipy), no Django.

A table has dimensions, each with its codes and the total code `_T`; it holds every cell of the
full cross, margins included, so that every margin equals the sum of its children along any one
dimension. That is exactly what an attacker can use: the audit asks, for every withheld cell, the
smallest and largest value it could have given everything published, and refuses the table when
that interval is narrower than the protection width.

Worked example (DOMAIN.md): a table publishes forced labour total 11 and adults 8 with the child
cell shown as "<5": the child cell must be 3. Primary suppression alone leaks; secondary
suppression withholds another cell of each relation so that no withheld cell can be solved.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "TOTAL",
    "Protected",
    "Table",
    "audit",
    "protect",
    "relations",
]

TOTAL = "_T"


@dataclass(frozen=True)
class Table:
    """Counts over the full cross of `dimensions`, margins (`_T`) included."""

    dimensions: tuple[str, ...]
    codes: Mapping[str, tuple[str, ...]]  # codes of each dimension, without _T
    cells: Mapping[tuple[str, ...], int]

    @classmethod
    def from_records(
        cls,
        dimensions: Sequence[str],
        codes: Mapping[str, Sequence[str]],
        counts: Mapping[tuple[str, ...], int],
    ) -> Table:
        """Build the table with every margin from interior counts (missing interior = 0)."""
        dims = tuple(dimensions)
        code_lists = {d: tuple(codes[d]) for d in dims}
        interior = dict.fromkeys(itertools.product(*(code_lists[d] for d in dims)), 0)
        for key, value in counts.items():
            if key not in interior:
                raise KeyError(f"unknown cell {key}")
            interior[key] = int(value)
        cells: dict[tuple[str, ...], int] = {}
        for key in itertools.product(*((*code_lists[d], TOTAL) for d in dims)):
            fixed = [(i, c) for i, c in enumerate(key) if c != TOTAL]
            cells[key] = sum(v for k, v in interior.items() if all(k[i] == c for i, c in fixed))
        return cls(dims, code_lists, cells)


def relations(table: Table) -> list[tuple[tuple[str, ...], list[tuple[str, ...]]]]:
    """Every additive relation: (a margin cell, the cells that add up to it along one dimension)."""
    found = []
    for key in table.cells:
        for position, code in enumerate(key):
            if code == TOTAL:
                children = [
                    (*key[:position], child, *key[position + 1 :])
                    for child in table.codes[table.dimensions[position]]
                ]
                found.append((key, children))
    return found


@dataclass
class Protected:
    """A table ready to publish: `withheld` cells are published with a status, never a number."""

    table: Table
    threshold: int
    width: int
    primary: set[tuple[str, ...]] = field(default_factory=set)
    secondary: set[tuple[str, ...]] = field(default_factory=set)

    @property
    def withheld(self) -> set[tuple[str, ...]]:
        return self.primary | self.secondary

    def published(self) -> dict[tuple[str, ...], int | None]:
        return {k: (None if k in self.withheld else v) for k, v in self.table.cells.items()}


def _suppress_one_more(table, withheld, cells):
    """The best extra cell to withhold among `cells`: the smallest non-zero one, else any."""
    free = [c for c in cells if c not in withheld]
    if not free:
        return None
    nonzero = [c for c in free if table.cells[c] > 0]
    # Prefer interior cells (fewer TOTAL codes) and small values: they cost the reader least.
    pool = nonzero or free
    return min(pool, key=lambda c: (table.cells[c], c.count(TOTAL), c))


def audit(
    published: Mapping[tuple[str, ...], int | None], table_relations, *, width: int, cells=None
) -> dict[tuple[str, ...], tuple[float, float]]:
    """For each withheld cell, the interval an attacker can narrow it to from what is published
    (non-negative counts, every additive relation). Returns the cells whose interval is narrower
    than `width`, with their interval; an empty result means the table is safe. `cells` limits
    the question to some withheld cells (all of them by default)."""
    unknown = sorted(k for k, v in published.items() if v is None)
    if not unknown:
        return {}
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for margin, children in table_relations:
        members = [margin, *children]
        if not any(m in index for m in members):
            continue
        row = np.zeros(len(unknown))
        constant = 0.0
        for sign, cell in [(1.0, margin)] + [(-1.0, c) for c in children]:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant -= sign * published[cell]
        rows.append(row)
        rhs.append(constant)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    bounds = [(0, None)] * len(unknown)
    unsafe = {}
    asked = index if cells is None else {c: index[c] for c in cells if c in index}
    for cell, i in asked.items():
        objective = np.zeros(len(unknown))
        objective[i] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        lower = low.fun if low.status == 0 else 0.0
        upper = -high.fun if high.status == 0 else float("inf")
        if high.status == 3:  # unbounded above: as safe as it gets
            upper = float("inf")
        if upper - lower < width:
            unsafe[cell] = (lower, upper)
    return unsafe


def protect(
    table: Table, *, threshold: int = 5, width: int | None = None, max_rounds: int = 200
) -> Protected:
    """Withhold every cell with 0 < count < threshold, then enough others that none of them can
    be recovered to within `width` (default: the threshold). Zero cells are published."""
    width = threshold if width is None else width
    result = Protected(table, threshold, width)
    result.primary = {k for k, v in table.cells.items() if 0 < v < threshold}
    table_relations = relations(table)
    # Withholding more only widens what an attacker can infer: a cell found safe stays safe, so
    # each round asks only about the withheld cells not yet found safe.
    safe: set[tuple[str, ...]] = set()
    for _round in range(max_rounds):
        # 1. No relation may have exactly one withheld cell: it would be its difference.
        changed = True
        while changed:
            changed = False
            for margin, children in table_relations:
                members = [margin, *children]
                withheld = [m for m in members if m in result.withheld]
                if len(withheld) == 1:
                    extra = _suppress_one_more(table, result.withheld, children) or (
                        _suppress_one_more(table, result.withheld, [margin])
                    )
                    if extra is not None:
                        result.secondary.add(extra)
                        changed = True
        # 2. The audit: every withheld cell's interval must be at least `width` wide.
        pending = result.withheld - safe
        unsafe = audit(result.published(), table_relations, width=width, cells=pending)
        safe |= pending - set(unsafe)
        if not unsafe:
            return result
        # One more withheld cell beside each unsafe cell, all in this round: one audit per
        # round rather than one per cell.
        added = set()
        for cell in sorted(unsafe, key=lambda c: (c not in result.primary, c)):
            for margin, children in table_relations:
                members = [margin, *children]
                if cell in members and not (set(members) & added):
                    extra = _suppress_one_more(table, result.withheld | added, members)
                    if extra is not None:
                        added.add(extra)
                        break
        if not added:
            # Every relation around the unsafe cells is withheld already: widen to the rest of
            # the table, interior cells first. A fully withheld table is always safe.
            free = [c for c in table.cells if c not in result.withheld]
            if not free:
                return result
            added.add(min(free, key=lambda c: (c.count(TOTAL), table.cells[c], c)))
        result.secondary |= added
    raise RuntimeError("could not protect the table within the allowed rounds")
