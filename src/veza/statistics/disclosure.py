"""Disclosure control of aggregate tables: primary and secondary suppression, and an audit that
solves each published table as a linear programme; controlled rounding and differentially
private counts as alternatives. Pure Python (numpy, scipy, OpenDP), no Django.

A table has dimensions, each with its codes and the total code `_T`; it holds every cell of the
full cross, margins included, so that every margin equals the sum of its children along any one
dimension. That is exactly what an attacker can use: the audit asks, for every withheld cell, the
smallest and largest value it could have given everything published, and refuses the table when
that interval is narrower than the protection width.

Worked example (DOMAIN.md): a table publishes forced labour total 11 and adults 8 with the child
cell shown as "<5": the child cell must be 3. Primary suppression alone leaks; secondary
suppression withholds another cell of each relation so that no withheld cell can be solved.

Two alternatives publish a number in every cell instead:

- Controlled rounding (`controlled_round`): every cell, margins included, is rounded to one of
  the two multiples of the base beside it, and the rounded table still adds up. Its audit
  (`audit_rounded`) gives the attacker the base and the relations: a published multiple R means
  a true value in [R - (base - 1), R + (base - 1)], never below 0. A cell is unsafe when the
  attacker can narrow it to fewer than `width` whole numbers, i.e. upper - lower + 1 < width
  (we count the possible values rather than the interval's length: a cell published as 0 with
  base 5 may be 0, 1, 2, 3 or 4 — five values — and that is exactly the protection a
  threshold of 5 gives, so the release uses width = base). The audit does not model an
  attacker who knows which of the two multiples the solver prefers; see docs/statistics.md.
- Differentially private counts (`dp_counts`): OpenDP's discrete Laplace noise on the interior
  cells, calibrated to epsilon and to the number of cells one person can count in; negative
  counts become 0 and margins are added up from the noisy cells.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "MECHANISM",
    "TOTAL",
    "Noisy",
    "Protected",
    "Rounded",
    "RoundingError",
    "Table",
    "audit",
    "audit_rounded",
    "controlled_round",
    "dp_counts",
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


# -- Controlled rounding ----------------------------------------------------------------------


class RoundingError(ValueError):
    """No controlled rounding exists for the table (possible with three or more dimensions)."""


@dataclass
class Rounded:
    """A table whose every cell, margins included, is published rounded to a multiple of
    `base`; the rounded cells still add up."""

    table: Table
    base: int
    cells: dict[tuple[str, ...], int]

    @property
    def changed(self) -> int:
        """How many published values differ from the true ones."""
        return sum(1 for k, v in self.table.cells.items() if self.cells[k] != v)

    def published(self) -> dict[tuple[str, ...], int | None]:
        return dict(self.cells)


def controlled_round(table: Table, base: int = 5) -> Rounded:
    """Round every cell to one of the two multiples of `base` beside it (a multiple stays) so
    that every relation still holds, changing the table as little as possible in total.

    Solved as a 0/1 programme (scipy HiGHS): one variable per cell that is not a multiple,
    1 = round up. A relation `margin = Σ children` between rounded values is linear in these
    variables. Rounding a cell with remainder r down changes it by r, up by base - r, so the
    total absolute change is Σr + Σ up·(base - 2r): the objective is the second sum. For one-
    and two-dimensional tables a solution always exists (Cox 1987); otherwise RoundingError,
    and the caller falls back to suppression."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    if base < 2:
        raise ValueError("the rounding base must be at least 2")
    floor = {k: v - v % base for k, v in table.cells.items()}
    free = sorted(k for k, v in table.cells.items() if v % base)
    if not free:
        return Rounded(table, base, dict(table.cells))
    index = {k: i for i, k in enumerate(free)}
    rows, rhs = [], []
    for margin, children in relations(table):
        # base·(up_margin - Σ up_child) = Σ floor_child - floor_margin, a multiple of base
        # because the true values add up.
        row = np.zeros(len(free))
        for sign, cell in [(1.0, margin)] + [(-1.0, c) for c in children]:
            if cell in index:
                row[index[cell]] += sign
        constant = sum(floor[c] for c in children) - floor[margin]
        if not row.any():
            continue  # every member is a multiple already: the relation holds as it is
        rows.append(row)
        rhs.append(constant // base)
    cost = np.array([base - 2 * (table.cells[k] % base) for k in free], dtype=float)
    constraints = [LinearConstraint(np.array(rows), rhs, rhs)] if rows else []
    result = milp(
        cost,
        integrality=np.ones(len(free)),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options={"time_limit": 60},
    )
    if result.status != 0 or result.x is None:
        raise RoundingError(
            f"no controlled rounding to base {base} exists for this table ({result.message})"
        )
    up = {k: round(float(result.x[i])) for k, i in index.items()}
    cells = {k: floor[k] + base * up.get(k, 0) for k in table.cells}
    return Rounded(table, base, cells)


def audit_rounded(
    published: Mapping[tuple[str, ...], int | None], table_relations, *, base: int, width: int
) -> dict[tuple[str, ...], tuple[float, float]]:
    """For each cell of a rounded table, the interval of true values an attacker can narrow it
    to, knowing the base and that every relation holds between the true values. A published
    multiple R stands for a true value in [R - (base - 1), R + (base - 1)] ∩ [0, ∞); a value
    that is not a multiple (or missing) was not rounded and counts as exact. Returns the cells
    left with fewer than `width` possible values (upper - lower + 1 < width)."""
    keys = sorted(published)
    index = {k: i for i, k in enumerate(keys)}
    bounds = []
    for k in keys:
        value = published[k]
        if value is None:  # not published: any count (the release audit refuses this)
            bounds.append((0.0, None))
        elif value % base:
            bounds.append((float(value), float(value)))
        else:
            bounds.append((max(0.0, value - (base - 1.0)), value + (base - 1.0)))
    rows = []
    for margin, children in table_relations:
        row = np.zeros(len(keys))
        row[index[margin]] += 1.0
        for c in children:
            row[index[c]] -= 1.0
        rows.append(row)
    a_eq = np.array(rows) if rows else None
    b_eq = np.zeros(len(rows)) if rows else None
    unsafe = {}
    # Every solution found is a table the attacker cannot rule out: a cell whose values in
    # them already span `width` whole numbers is safe without programmes of its own (2.5 times
    # faster on a 10 by 10 table).
    seen_low, seen_high = np.full(len(keys), np.inf), np.full(len(keys), -np.inf)

    def wide(i):
        if seen_high[i] < seen_low[i]:
            return False  # in no solution yet
        return math.floor(seen_high[i] + 1e-7) - math.ceil(seen_low[i] - 1e-7) + 1 >= width

    def solve(objective):
        result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if result.status == 0:
            np.minimum(seen_low, result.x, out=seen_low)
            np.maximum(seen_high, result.x, out=seen_high)
        return result

    for cell, i in index.items():
        low_bound, high_bound = bounds[i]
        if high_bound is not None and high_bound - low_bound + 1 < width:
            unsafe[cell] = (low_bound, high_bound)  # its own bounds are narrow already
            continue
        if wide(i):
            continue
        objective = np.zeros(len(keys))
        objective[i] = 1.0
        low = solve(objective)
        if low.status == 0 and wide(i):
            continue
        high = solve(-objective)
        if high.status == 3 and low.status == 0:
            continue  # unbounded above: as safe as it gets
        if low.status != 0 or high.status != 0:
            # No true table fits what is published: it was not rounded by this method.
            unsafe[cell] = (float("nan"), float("nan"))
            continue
        # True counts are whole numbers: the attacker may round the bounds inwards.
        lower, upper = math.ceil(low.fun - 1e-7), math.floor(-high.fun + 1e-7)
        if upper - lower + 1 < width:
            unsafe[cell] = (float(lower), float(upper))
    return unsafe


# -- Differential privacy (OpenDP) ------------------------------------------------------------

MECHANISM = "discrete Laplace (OpenDP make_laplace, integer counts)"


@dataclass
class Noisy:
    """A table of differentially private counts: noisy, non-negative interior cells and margins
    added up from them."""

    table: Table
    epsilon: float
    contributions: int
    scale: float
    mechanism: str = MECHANISM

    def published(self) -> dict[tuple[str, ...], int | None]:
        return dict(self.table.cells)


def dp_counts(table: Table, epsilon: float, contributions: int) -> Noisy:
    """Add discrete Laplace noise to the interior counts with OpenDP, calibrated so that the
    release is epsilon-differentially private when one person counts in at most `contributions`
    interior cells (each by one): the L1 sensitivity. Negative counts become 0 and every
    margin is the sum of its noisy cells; both are post-processing, which spends nothing.

    There is no seed: OpenDP draws from the operating system's secure random source on purpose
    (reproducible noise could be subtracted)."""
    import opendp.prelude as dp

    if epsilon <= 0 or contributions < 1:
        raise ValueError("epsilon must be positive and contributions at least 1")
    dp.enable_features("contrib")
    space = dp.vector_domain(dp.atom_domain(T="i64")), dp.l1_distance(T="i64")
    scale = dp.binary_search_param(
        lambda s: dp.m.make_laplace(*space, scale=s), d_in=contributions, d_out=epsilon
    )
    measurement = dp.m.make_laplace(*space, scale=scale)
    if measurement.map(contributions) > epsilon:  # the library's own accounting is the proof
        raise RuntimeError("the noise does not meet the privacy loss asked for")
    keys = list(itertools.product(*(table.codes[d] for d in table.dimensions)))
    noisy = measurement([int(table.cells[k]) for k in keys])
    interior = {k: max(0, int(v)) for k, v in zip(keys, noisy, strict=True)}
    return Noisy(
        Table.from_records(table.dimensions, table.codes, interior),
        epsilon=float(epsilon),
        contributions=int(contributions),
        scale=float(scale),
    )
