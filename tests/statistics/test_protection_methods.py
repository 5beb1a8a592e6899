"""Controlled rounding and differentially private counts as alternatives to secondary
suppression: the methods themselves, their audits, the privacy budget, the command and pages."""

import base64
import csv
import hashlib
import itertools
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tests.factories import login_verified, make_case, make_organisation, make_user
from veza.core.errors import ValidationError
from veza.core.models import AuditEntry
from veza.organisations.models import Participant
from veza.statistics.disclosure import (
    TOTAL,
    RoundingError,
    Table,
    audit_rounded,
    controlled_round,
    dp_counts,
    relations,
)
from veza.statistics.models import PrivacyBudget, PrivacySpend, Release
from veza.statistics.release import ReleaseError, audit_release, build_release, signing_key
from veza.statistics.services import release_build

YEAR = timezone.now().year


def _additive(cells, table):
    return all(cells[m] == sum(cells[c] for c in ch) for m, ch in relations(table))


# -- Controlled rounding ---------------------------------------------------------------------


def test_a_known_two_by_two_table_is_rounded_with_the_least_change():
    table = Table.from_records(
        ["SEX", "AGE"],
        {"SEX": ["F", "M"], "AGE": ["CHILD", "ADULT"]},
        {("F", "CHILD"): 3, ("F", "ADULT"): 8, ("M", "CHILD"): 1, ("M", "ADULT"): 12},
    )
    rounded = controlled_round(table, base=5)
    # The one rounding with the least total change (14; checked by enumerating all 2^9).
    assert rounded.cells == {
        ("F", "CHILD"): 5,
        ("F", "ADULT"): 5,
        ("F", TOTAL): 10,
        ("M", "CHILD"): 0,
        ("M", "ADULT"): 15,
        ("M", TOTAL): 15,
        (TOTAL, "CHILD"): 5,
        (TOTAL, "ADULT"): 20,
        (TOTAL, TOTAL): 25,
    }
    assert rounded.changed == 8  # all but (_T, ADULT): 20 is a multiple already
    assert audit_rounded(rounded.published(), relations(table), base=5, width=5) == {}


shapes = st.integers(min_value=1, max_value=3).flatmap(
    lambda dims: st.tuples(
        st.just(dims),
        st.lists(st.integers(min_value=1, max_value=5), min_size=dims, max_size=dims),
    )
)


@settings(max_examples=80, deadline=None)
@given(shapes, st.data(), st.sampled_from([3, 5, 10]))
def test_rounding_keeps_every_relation_and_moves_each_cell_to_an_adjacent_multiple(
    shape, data, base
):
    dims, sizes = shape
    names = [f"D{i}" for i in range(dims)]
    codes = {n: [f"c{j}" for j in range(size)] for n, size in zip(names, sizes, strict=True)}
    interior = list(itertools.product(*(codes[n] for n in names)))
    values = data.draw(
        st.lists(
            st.integers(min_value=0, max_value=60), min_size=len(interior), max_size=len(interior)
        )
    )
    table = Table.from_records(names, codes, dict(zip(interior, values, strict=True)))
    try:
        rounded = controlled_round(table, base=base)
    except RoundingError:
        assert dims >= 3, "one- and two-dimensional tables can always be rounded"
        return
    for key, value in table.cells.items():
        published = rounded.cells[key]
        assert published % base == 0
        assert value - value % base <= published <= value - value % base + base
        if value % base == 0:
            assert published == value
    assert _additive(rounded.cells, table)
    # What is published gives every cell at least `base` possible values.
    assert audit_rounded(rounded.published(), relations(table), base=base, width=base) == {}


def test_a_ten_by_ten_table_rounds_well_under_a_second():
    import random
    import time

    rng = random.Random(7)
    codes = {"R": [f"r{i}" for i in range(10)], "C": [f"c{i}" for i in range(10)]}
    counts = {k: rng.choice([0, 1, 2, 3, 4, 7, 12, 33]) for k in itertools.product(*codes.values())}
    table = Table.from_records(["R", "C"], codes, counts)
    started = time.perf_counter()
    rounded = controlled_round(table)
    assert time.perf_counter() - started < 1.0  # about 0.01 s on the reference machine
    assert _additive(rounded.cells, table)


def test_audit_rounded_flags_a_small_cell_published_exactly():
    table = Table.from_records(["AGE"], {"AGE": ["ADULT", "CHILD"]}, {("ADULT",): 8, ("CHILD",): 3})
    rounded = controlled_round(table)
    assert audit_rounded(rounded.published(), relations(table), base=5, width=5) == {}
    # The exact table, as if rounding had been skipped: the child cell is given away.
    unsafe = audit_rounded(dict(table.cells), relations(table), base=5, width=5)
    assert unsafe[("CHILD",)] == (3.0, 3.0)
    # Only the small cell exact, the rest rounded: still given away.
    tampered = {**rounded.published(), ("CHILD",): 3}
    assert ("CHILD",) in audit_rounded(tampered, relations(table), base=5, width=5)


def _intervals_by_brute_force(published, table, base):
    """Every cell's interval by two linear programmes each, without any shortcut."""
    keys = sorted(published)
    index = {k: i for i, k in enumerate(keys)}
    bounds = [
        (v, v) if v % base else (max(0, v - base + 1), v + base - 1)
        for v in (published[k] for k in keys)
    ]
    a_eq = []
    for margin, children in relations(table):
        row = np.zeros(len(keys))
        row[index[margin]] = 1
        for c in children:
            row[index[c]] -= 1
        a_eq.append(row)
    found = {}
    for key, i in index.items():
        goal = np.zeros(len(keys))
        goal[i] = 1
        low = linprog(goal, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds)
        high = linprog(-goal, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds)
        found[key] = (round(low.fun), round(-high.fun))
    return found


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=14), min_size=6, max_size=6),
    st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_audit_rounded_finds_what_a_brute_force_attacker_finds(values, exact):
    # A 2 by 3 table published partly rounded, partly exact, with totals that add up (as a
    # faulty publisher might make it).
    codes = {"A": ["a0", "a1"], "B": ["b0", "b1", "b2"]}
    interior = list(itertools.product(*codes.values()))
    table = Table.from_records(["A", "B"], codes, dict(zip(interior, values, strict=True)))
    rounded = controlled_round(table)
    mixed = {
        k: (table.cells[k] if flag else rounded.cells[k])
        for k, flag in zip(interior, exact, strict=True)
    }
    published = Table.from_records(["A", "B"], codes, mixed).cells
    expected = {
        k: (float(lo), float(hi))
        for k, (lo, hi) in _intervals_by_brute_force(published, table, 5).items()
        if hi - lo + 1 < 5
    }
    assert audit_rounded(published, relations(table), base=5, width=5) == expected


# -- Differential privacy ---------------------------------------------------------------------


def _wide_table(value=10, rows=6, cols=10):
    codes = {"R": [f"r{i}" for i in range(rows)], "C": [f"c{j}" for j in range(cols)]}
    counts = dict.fromkeys(itertools.product(*codes.values()), value)
    return Table.from_records(["R", "C"], codes, counts)


def test_noisy_counts_are_additive_non_negative_and_not_the_truth():
    table = _wide_table(value=2)
    noisy = dp_counts(table, epsilon=0.5, contributions=3)
    assert noisy.scale == pytest.approx(6.0)  # L1 sensitivity 3 / epsilon 0.5
    cells = noisy.published()
    assert set(cells) == set(table.cells)
    assert all(v >= 0 for v in cells.values())
    assert _additive(cells, noisy.table)
    # 60 interior cells all left unchanged has a probability far below 10^-30.
    interior = [k for k in table.cells if TOTAL not in k]
    assert any(cells[k] != table.cells[k] for k in interior)


def test_noise_is_centred_and_as_wide_as_epsilon_says():
    # Counts far from 0 (no clamping): over 1,200 draws the mean error is near 0 and the
    # variance near that of the discrete Laplace of scale 1/epsilon (2·scale² ≈ 8); bounds
    # are many standard errors wide, so the test does not flake.
    table = _wide_table(value=1000, rows=10, cols=12)
    errors = []
    for _ in range(10):
        noisy = dp_counts(table, epsilon=0.5, contributions=1)
        errors += [noisy.table.cells[k] - 1000 for k in table.cells if TOTAL not in k]
    errors = np.array(errors)
    assert abs(errors.mean()) < 0.6
    assert 4 < errors.var() < 16


def test_dp_counts_refuses_nonsense_parameters():
    with pytest.raises(ValueError):
        dp_counts(_wide_table(), epsilon=0, contributions=1)


# -- Releases ---------------------------------------------------------------------------------


@pytest.fixture
def cases(db):
    org = make_organisation("RS", sector="social_welfare")
    manager = make_user("pm-manager", role="case_manager", organisation=org)
    made = []
    for n in range(23):
        made.append(
            make_case(
                org,
                user=manager,
                sex=("female", "male")[n % 2],
                age=15 + n,
                citizenship=("RS", "RS", "UA", "AL")[n % 4],
                exploitation=[("sexual_exploitation", "forced_labour")[n % 2]]
                + (
                    ["forced_begging", "forced_criminality", "domestic_servitude"] if n == 0 else []
                ),
            )
        )
    return made


def _read(directory: Path, table_id: str) -> dict:
    manifest = json.loads((directory / "manifest.json").read_text())
    dims = next(t["dimensions"] for t in manifest["tables"] if t["id"] == table_id)
    rows = list(csv.DictReader((directory / f"{table_id}.csv").open()))
    return {tuple(r[d] for d in dims): r for r in rows}


def _resign(directory: Path, manifest: dict | None = None) -> None:
    manifest = manifest or json.loads((directory / "manifest.json").read_text())
    for name in manifest["files"]:
        manifest["files"][name] = hashlib.sha256((directory / name).read_bytes()).hexdigest()
    body = json.dumps(manifest, sort_keys=True, indent=2).encode()
    (directory / "manifest.json").write_bytes(body)
    (directory / "manifest.sig").write_text(base64.b64encode(signing_key().sign(body)).decode())


@pytest.mark.django_db
def test_a_rounded_release_publishes_multiples_that_add_up_and_passes_its_audit(cases, tmp_path):
    built = build_release("RS", YEAR, tmp_path, method="rounding")
    assert built.manifest["method"] == "rounding"
    assert built.manifest["parameters"] == {"base": 5}
    assert {t["protection"] for t in built.manifest["tables"]} == {"rounding"}
    rows = _read(tmp_path, "VICTIMS_SEX_AGE")
    assert all(r["CONF_STATUS"] == "F" and int(r["OBS_VALUE"]) % 5 == 0 for r in rows.values())
    assert rows[("_T", "_T")]["OBS_VALUE"] in {"20", "25"}  # 23, to a multiple beside it
    assert audit_release(tmp_path) == ([], {})


@pytest.mark.django_db
def test_the_attacker_cannot_recover_a_small_cell_of_a_rounded_release(cases, tmp_path):
    from veza.statistics.release import _table, extract, spec

    build_release("RS", YEAR, tmp_path, method="rounding")
    frame, _referrals = extract("RS", YEAR)
    small = 0
    for table_spec in spec()["tables"]:
        if table_spec["dimensions"][0] == "SERVICE":
            continue
        truth = _table(frame, table_spec["dimensions"], spec()["codes"])
        rows = _read(tmp_path, table_spec["id"])
        keys = sorted(rows)
        index = {k: i for i, k in enumerate(keys)}
        # The attacker: each true count within 4 of what is published, not negative, and
        # every total the sum of its cells.
        bounds = [
            (max(0, int(rows[k]["OBS_VALUE"]) - 4), int(rows[k]["OBS_VALUE"]) + 4) for k in keys
        ]
        a_eq = []
        for margin, children in relations(truth):
            row = np.zeros(len(keys))
            row[index[margin]] = 1
            for c in children:
                row[index[c]] -= 1
            a_eq.append(row)
        for key, value in truth.cells.items():
            if not 0 < value < 5:
                continue
            small += 1
            goal = np.zeros(len(keys))
            goal[index[key]] = 1
            low = linprog(goal, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds)
            high = linprog(-goal, A_eq=a_eq, b_eq=np.zeros(len(a_eq)), bounds=bounds)
            assert low.status == high.status == 0
            assert -high.fun - low.fun >= 4, f"{table_spec['id']} {key} narrowed"
    assert small > 0, "the fixture must hold small cells for the attack to mean anything"


@pytest.mark.django_db
def test_a_rounded_release_holding_a_value_that_is_not_a_multiple_fails_the_audit(cases, tmp_path):
    build_release("RS", YEAR, tmp_path, method="rounding")
    path = tmp_path / "VICTIMS_CITIZENSHIP.csv"
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[-2] = str(int(fields[-2]) + 2)
    lines[1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    _resign(tmp_path)  # even re-signed by the participant's own software
    problems, unsafe = audit_release(tmp_path)
    assert any("not multiples of the base 5" in p for p in problems)
    assert any("not the sum" in p for p in problems)
    assert unsafe["VICTIMS_CITIZENSHIP"]
    with pytest.raises(CommandError, match="not safe"):
        call_command("stats", "audit", str(tmp_path))


@pytest.mark.django_db
def test_a_manifest_that_does_not_match_its_tables_fails_the_audit(cases, tmp_path):
    # A suppression release (cells withheld) relabelled as rounding.
    build_release("RS", YEAR, tmp_path / "s")
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    manifest["method"], manifest["parameters"] = "rounding", {"base": 5}
    for table in manifest["tables"]:
        table["protection"] = "rounding"
    _resign(tmp_path / "s", manifest)
    problems, _unsafe = audit_release(tmp_path / "s")
    assert any("withheld in a table protected by rounding" in p for p in problems)

    # A dp release that claims more epsilon than its budget, or a table of another method.
    build_release(
        "RS", YEAR, tmp_path / "d", method="dp", privacy={"budget": 2.0, "spent_before": 0}
    )
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert audit_release(tmp_path / "d") == ([], {})
    manifest["parameters"]["budget"]["epsilon"] = 1.0
    manifest["tables"][0]["protection"] = "rounding"
    _resign(tmp_path / "d", manifest)
    problems, _unsafe = audit_release(tmp_path / "d")
    assert any("more epsilon than its privacy budget" in p for p in problems)
    assert any("not by the release's method dp" in p for p in problems)


@pytest.mark.django_db
def test_a_dp_release_is_noisy_additive_and_bounds_what_one_person_adds(
    cases, tmp_path, monkeypatch
):
    from veza.statistics import protection

    noised = {}

    def spy(table, epsilon, contributions):
        noised[table.dimensions] = (table, contributions)
        return dp_counts(table, epsilon, contributions)

    monkeypatch.setattr(protection, "dp_counts", spy)
    built = build_release(
        "RS", YEAR, tmp_path, method="dp", privacy={"budget": 2.0, "spent_before": 0.25}
    )
    parameters = built.manifest["parameters"]
    assert parameters["epsilon_per_table"] == 0.25
    assert parameters["epsilon_total"] == pytest.approx(0.25 * 7)
    assert parameters["library"].startswith("opendp ")
    assert "Laplace" in parameters["mechanism"]
    tables = {t["id"]: t for t in built.manifest["tables"]}
    # Every table of the spec, the referral ones too although there is no referral: whether
    # a table is empty must not show.
    assert len(tables) == 7
    assert tables["VICTIMS_EXPLOITATION_SEX"]["contributions"] == 3
    assert tables["VICTIMS_SEX_AGE"]["contributions"] == 1
    # The first person has four forms of exploitation: only three are counted (22 + 3).
    truth, contributions = noised[("EXPLOITATION", "SEX")]
    assert truth.cells[(TOTAL, TOTAL)] == 25 and contributions == 3
    citizenship = _read(tmp_path, "VICTIMS_CITIZENSHIP")
    # A fixed code list: UA is not on it and is counted as other.
    assert {k[0] for k in citizenship} == {"AL", "BA", "ME", "MK", "RS", "XK", "_O", "_U", "_T"}
    assert all(r["CONF_STATUS"] == "F" and int(r["OBS_VALUE"]) >= 0 for r in citizenship.values())
    assert audit_release(tmp_path) == ([], {})
    with pytest.raises(ReleaseError, match="privacy budget"):
        build_release("RS", YEAR, tmp_path / "again", method="dp")


# -- The privacy budget ---------------------------------------------------------------------


@pytest.fixture
def coordinator(cases):
    return make_user("pm-coord", role="national_coordinator", organisation=cases[0].organisation)


def _outgoing() -> set:
    folder = Path(django_settings.VEZA_DATA_DIR) / "releases" / "outgoing"
    return set(folder.iterdir()) if folder.exists() else set()


@pytest.mark.django_db
def test_a_dp_release_spends_the_budget_and_one_that_would_overspend_is_refused(coordinator):
    rs = Participant.objects.get(code="RS")
    release = release_build(actor=coordinator, participant=rs, year=YEAR, method="dp")
    budget = PrivacyBudget.objects.get(participant=rs, year=YEAR)
    assert budget.epsilon == Decimal("2.0")
    spend = PrivacySpend.objects.get()
    assert (spend.release, spend.epsilon, spend.created_by) == (
        release,
        Decimal("1.75"),
        coordinator,
    )
    entry = AuditEntry.objects.filter(action="release.build").latest("sequence")
    assert entry.detail["method"] == "dp" and entry.detail["epsilon"] == 1.75
    assert release.manifest["parameters"]["budget"] == {"epsilon": 2.0, "spent_before": 0.0}

    releases, files = Release.objects.count(), _outgoing()
    with pytest.raises(ValidationError) as refused:
        release_build(actor=coordinator, participant=rs, year=YEAR, method="dp")
    message = str(refused.value.fields["method"][0])
    assert "0.25" in message and "1.75" in message
    assert Release.objects.count() == releases
    assert PrivacySpend.objects.count() == 1
    assert _outgoing() == files
    # Other methods spend nothing; another year has a budget of its own.
    release_build(actor=coordinator, participant=rs, year=YEAR, method="rounding")
    assert PrivacySpend.objects.count() == 1


@pytest.mark.django_db
def test_the_command_writes_rounded_and_dp_releases_that_pass_the_audit(cases, tmp_path, capsys):
    for method in ("rounding", "dp"):
        out = tmp_path / method
        call_command(
            "stats",
            "release",
            "--participant",
            "RS",
            "--year",
            str(YEAR),
            "--out",
            str(out),
            "--method",
            method,
        )
        assert json.loads((out / "manifest.json").read_text())["method"] == method
        call_command("stats", "audit", str(out))
        assert "Release audit OK" in capsys.readouterr().out
    spend = PrivacySpend.objects.get()
    assert spend.release is None and spend.epsilon == Decimal("1.75")
    assert "written to" in spend.purpose
    # The budget of the year is used: the command refuses and leaves no file behind.
    with pytest.raises(CommandError, match="privacy budget"):
        call_command(
            "stats", "release", "--participant", "RS", "--year", str(YEAR), "--out",
            str(tmp_path / "over"), "--method", "dp",
        )  # fmt: skip
    assert not (tmp_path / "over").exists()
    assert PrivacySpend.objects.count() == 1
    with pytest.raises(CommandError, match="no participant with the code ZZ"):
        call_command(
            "stats", "release", "--participant", "ZZ", "--year", str(YEAR), "--out",
            str(tmp_path / "zz"), "--method", "dp",
        )  # fmt: skip


# -- Pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_coordinator_chooses_the_method_and_sees_the_budget(client, coordinator):
    login_verified(client, coordinator)
    page = client.get("/statistics/releases/").content.decode()
    assert '<label for="id_method">Protection method' in page
    assert 'aria-describedby="id_method_helptext"' in page
    assert "privacy budget" in page and "ε 2.0 left of ε 2.0" in page
    response = client.post("/statistics/releases/", {"year": YEAR, "method": "dp"})
    release = Release.objects.get()
    assert response.status_code == 302 and release.manifest["method"] == "dp"
    detail = client.get(f"/statistics/releases/{release.pk}/").content.decode()
    assert "Add random noise (differential privacy)" in detail and "ε 1.75" in detail
    page = client.get("/statistics/releases/").content.decode()
    assert "ε 0.25 left of ε 2.0" in page
    refused = client.post("/statistics/releases/", {"year": YEAR, "method": "dp"})
    assert refused.status_code == 400 and "only ε 0.25" in refused.content.decode()
    assert Release.objects.count() == 1
    rounded = client.post("/statistics/releases/", {"year": YEAR, "method": "rounding"})
    assert rounded.status_code == 302
    detail = client.get(rounded["Location"]).content.decode()
    assert "Round every count (controlled rounding)" in detail
    assert "rounded to a multiple of 5" in detail
    assert client.post("/statistics/releases/", {"year": YEAR, "method": "x"}).status_code == 400
