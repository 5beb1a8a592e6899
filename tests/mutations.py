"""Hypothesis strategies that break valid documents in plausible ways, so that a fuzz test gets
past the first parser: drop a field, duplicate an entry, put a wrong type or a huge or odd
string in place of a value, somewhere deep inside a real file's data."""

from __future__ import annotations

import copy

from hypothesis import strategies as st

__all__ = ["mutated", "odd_value"]

ODD_STRINGS = [
    "",
    " ",
    "\x00",
    "\ufeff",
    "é" * 3,
    "Ђорђе",
    "مرحبا",
    "x" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "[]",
    "{}",
    "'; DROP TABLE x; --",
    "../../etc/passwd",
    "\ud800",
]

odd_value = st.one_of(
    st.sampled_from(ODD_STRINGS),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(data, prefix=()):
    """Every place in a nested structure of dicts and lists, as a tuple of keys."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


def _at(data, path):
    for key in path:
        data = data[key]
    return data


@st.composite
def _mutate_once(draw, data):
    places = list(_paths(data))
    path = draw(st.sampled_from(places))
    kind = draw(st.sampled_from(["replace", "drop", "duplicate", "add", "empty"]))
    if not path:  # the whole document
        return draw(st.one_of(odd_value, st.just([data]), st.just({"data": data})))
    parent, key = _at(data, path[:-1]), path[-1]
    target = parent[key]
    if kind == "replace":
        parent[key] = draw(odd_value)
    elif kind == "drop":
        del parent[key]
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(target))
    elif kind == "duplicate" and isinstance(target, (list, dict)) and target:
        parent[key] = copy.deepcopy(target) * 2 if isinstance(target, list) else target
    elif kind == "add" and isinstance(target, dict):
        target[draw(st.sampled_from(["id", "version", "x", "", "None"]))] = draw(odd_value)
    elif kind == "add" and isinstance(target, list):
        target.append(draw(odd_value))
    elif kind == "empty":
        parent[key] = type(target)() if isinstance(target, (list, dict, str)) else None
    return data


@st.composite
def mutated(draw, documents: list, max_mutations: int = 3):
    """One of `documents` (deep-copied), broken by 1 to `max_mutations` mutations."""
    data = copy.deepcopy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(min_value=1, max_value=max_mutations))):
        data = draw(_mutate_once(data))
    return data
