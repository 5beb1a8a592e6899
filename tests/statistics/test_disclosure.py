"""Disclosure control: nothing withheld can be recovered from what is published."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from veza.statistics.disclosure import TOTAL, Table, audit, protect, relations


def test_suppression_alone_leaks_and_secondary_suppression_closes_it():
    # Forced labour: 8 adults and 3 children, total 11. Showing "<5" for the children leaks 3.
    table = Table.from_records(["AGE"], {"AGE": ["ADULT", "CHILD"]}, {("ADULT",): 8, ("CHILD",): 3})
    primary_only = {k: (None if 0 < v < 5 else v) for k, v in table.cells.items()}
    leak = audit(primary_only, relations(table), width=5)
    assert leak == {("CHILD",): (3.0, 3.0)}
    protected = protect(table, threshold=5)
    assert ("CHILD",) in protected.primary
    assert protected.secondary, "another cell must be withheld"
    assert audit(protected.published(), relations(table), width=5) == {}


def test_two_way_table_is_protected_and_zeros_stay_published():
    codes = {"SEX": ["F", "M"], "EXPL": ["SEX", "LAB", "BEG"]}
    counts = {
        ("F", "SEX"): 40,
        ("F", "LAB"): 2,
        ("F", "BEG"): 0,
        ("M", "SEX"): 1,
        ("M", "LAB"): 30,
        ("M", "BEG"): 12,
    }
    table = Table.from_records(["SEX", "EXPL"], codes, counts)
    assert table.cells[(TOTAL, TOTAL)] == 85
    protected = protect(table, threshold=5)
    assert {("F", "LAB"), ("M", "SEX")} <= protected.primary
    assert ("F", "BEG") not in protected.primary  # a zero is not a small count
    published = protected.published()
    assert audit(published, relations(table), width=5) == {}
    assert published[(TOTAL, TOTAL)] == 85


tables = st.integers(min_value=1, max_value=3).flatmap(
    lambda dims: st.tuples(
        st.just(dims),
        st.lists(st.integers(min_value=2, max_value=4), min_size=dims, max_size=dims),
    )
)


@settings(max_examples=60, deadline=None)
@given(tables, st.data(), st.sampled_from([3, 5, 10]))
def test_no_withheld_cell_can_be_narrowed_below_the_protection_width(shape, data, threshold):
    dims, sizes = shape
    names = [f"D{i}" for i in range(dims)]
    codes = {n: [f"c{j}" for j in range(size)] for n, size in zip(names, sizes, strict=True)}
    interior = list(itertools.product(*(codes[n] for n in names)))
    values = data.draw(
        st.lists(
            st.sampled_from([0, 1, 2, 3, 4, 6, 9, 15, 40]),
            min_size=len(interior),
            max_size=len(interior),
        )
    )
    table = Table.from_records(names, codes, dict(zip(interior, values, strict=True)))
    protected = protect(table, threshold=threshold)
    published = protected.published()
    # The attacker's view: only what is published, and how the cells add up.
    assert audit(published, relations(table), width=threshold) == {}
    for cell, value in table.cells.items():
        if 0 < value < threshold:
            assert published[cell] is None
        if cell not in protected.withheld:
            assert published[cell] == value
