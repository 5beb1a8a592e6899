"""A national release: de-identified extract → tables with margins → disclosure control →
SDMX-CSV files and a signed manifest. The extract never reads an identity field."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from veza.core.keys import instance_secret
from veza.indicators.content import load_yaml
from veza.statistics.disclosure import TOTAL, Table
from veza.statistics.protection import METHODS, audit_method, audit_table, protect_table
from veza.statistics.structure import read_structure, structure_xml

__all__ = [
    "METHODS",
    "NothingToRelease",
    "ReleaseError",
    "audit_release",
    "build_release",
    "dp_epsilon",
    "extract",
    "signing_key",
]

AGENCY = "VEZA"
EXPLOITATION = {
    "sexual_exploitation": "SEXUAL",
    "forced_labour": "FORCED_LABOUR",
    "domestic_servitude": "DOMESTIC_SERVITUDE",
    "forced_begging": "FORCED_BEGGING",
    "forced_criminality": "FORCED_CRIMINALITY",
    "forced_marriage": "FORCED_MARRIAGE",
}
SEX = {"female": "F", "male": "M", "other": "O", "unknown": "_U"}
ID_STATUS = {"Possible": "POTENTIAL", "Actual": "IDENTIFIED", "NotAVictim": "NOT_A_VICTIM"}


class ReleaseError(ValueError):
    pass


class NothingToRelease(ReleaseError):
    """No case was registered in the year."""


def spec() -> dict:
    return load_yaml(Path(settings.VEZA_CONTENT_DIR) / "statistics" / "release-spec.yaml")


def dp_epsilon(definition: dict) -> tuple[float, float]:
    """(epsilon per table, epsilon of a whole release) of a differentially private release:
    every table of the spec is released, even an empty one, since leaving one out would
    depend on the data."""
    per_table = float(definition.get("epsilon_per_table", 0.25))
    return per_table, round(per_table * len(definition["tables"]), 6)


#: Days from a referral to its acceptance, when the service takes the person on (upper bounds).
DAYS_BANDS = [(0, "D0"), (2, "D1T2"), (7, "D3T7"), (30, "D8T30")]


def _days_to_assistance(status: str, sent, responded) -> str:
    if status in ("declined", "withdrawn"):
        return "NONE"
    if responded is None or status == "sent":
        return "PENDING"
    days = (responded - sent).days
    for upper, code in DAYS_BANDS:
        if days <= upper:
            return code
    return "D_GT30"


def extract(participant_code: str, year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cases and referrals of the year as plain codes. Only non-identifying columns are read."""
    from veza.cases.models import Case
    from veza.referrals.models import Referral

    rows = Case.objects.filter(
        participant__code=participant_code, created_at__year=year
    ).values_list(
        "sex",
        "age",
        "is_child",
        "citizenship",
        "exploitation",
        "trafficking_status",
        "organisation__sector",
    )
    cases = pl.DataFrame(
        [
            {
                "SEX": SEX.get(sex, "_U"),
                "AGE": "Y0T17"
                if is_child or (age is not None and age < 18)
                else ("Y_GE18" if age is not None else "_U"),
                "CITIZENSHIP": citizenship or "_U",
                "EXPLOITATION": [EXPLOITATION.get(e, "OTHER") for e in forms] or ["_U"],
                "ID_STATUS": ID_STATUS.get(status, "POTENTIAL"),
                "SECTOR": sector,
            }
            for sex, age, is_child, citizenship, forms, status, sector in rows
        ],
        schema={
            "SEX": pl.Utf8,
            "AGE": pl.Utf8,
            "CITIZENSHIP": pl.Utf8,
            "EXPLOITATION": pl.List(pl.Utf8),
            "ID_STATUS": pl.Utf8,
            "SECTOR": pl.Utf8,
        },
    )
    referral_rows = (
        Referral.objects.filter(case__participant__code=participant_code, created_at__year=year)
        .order_by("case_id", "created_at", "pk")
        .values_list("case_id", "service__service_type", "status", "created_at", "responded_at")
    )
    # PER_PERSON: the referral's rank among the person's referrals of the year, so that a
    # differentially private release can bound how many one person counts in (the case id
    # itself does not leave this function).
    seen: dict[int, int] = {}
    referral_dicts = []
    for case_id, service, status, sent, responded in referral_rows:
        seen[case_id] = seen.get(case_id, 0) + 1
        referral_dicts.append(
            {
                "SERVICE": service,
                "REFERRAL_STATUS": status,
                "DAYS_TO_ASSISTANCE": _days_to_assistance(status, sent, responded),
                "PER_PERSON": seen[case_id],
            }
        )
    referrals = pl.DataFrame(
        referral_dicts,
        schema={
            "SERVICE": pl.Utf8,
            "REFERRAL_STATUS": pl.Utf8,
            "DAYS_TO_ASSISTANCE": pl.Utf8,
            "PER_PERSON": pl.Int64,
        },
    )
    return cases, referrals


def _table(frame: pl.DataFrame, dimensions: list[str], codes: dict, *, closed=False) -> Table:
    """The table of `frame` over `dimensions`. Open: the spec's codes plus any other code found
    in the data. Closed (differential privacy): exactly the spec's codes, since which codes
    appear must not depend on the data; another code is counted as `_O` when the list has it."""
    if "EXPLOITATION" in dimensions:
        frame = frame.explode("EXPLOITATION")
    if closed:
        for dim in dimensions:
            listed = list(codes.get(dim) or [])
            if not listed:
                raise ReleaseError(f"a differentially private release needs a code list for {dim}")
            outside = set(frame[dim].to_list()) - set(listed)
            if outside and "_O" not in listed:
                raise ReleaseError(
                    f"the code list of {dim} has no _O for {sorted(map(str, outside))}"
                )
            frame = frame.with_columns(
                pl.when(pl.col(dim).is_in(listed))
                .then(pl.col(dim))
                .otherwise(pl.lit("_O"))
                .alias(dim)
            )
    counts = frame.group_by(dimensions).len()
    code_lists = {}
    for dim in dimensions:
        listed = list(codes.get(dim) or [])
        seen = [] if closed else sorted(set(counts[dim].to_list()) - set(listed))
        code_lists[dim] = listed + seen
    interior = {tuple(row[:-1]): row[-1] for row in counts.iter_rows()}
    return Table.from_records(dimensions, code_lists, interior)


def signing_key() -> Ed25519PrivateKey:
    """The instance's release-signing key, derived from a secret kept outside the database."""
    return Ed25519PrivateKey.from_private_bytes(instance_secret("release-signing"))


def _public_b64(key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@dataclass
class Built:
    directory: Path
    manifest: dict


def _method_parameters(definition: dict, method: str, privacy) -> dict:
    """What the manifest records of the method: the base, or the epsilon and the budget."""
    if method == "rounding":
        return {"base": int(definition.get("rounding_base", 5))}
    if method != "dp":
        return {}
    import importlib.metadata

    from veza.statistics.disclosure import MECHANISM

    if privacy is None:
        raise ReleaseError("a differentially private release must spend from a privacy budget")
    per_table, total = dp_epsilon(definition)
    budget, spent = float(privacy["budget"]), float(privacy["spent_before"])
    if spent + total > budget + 1e-9:
        raise ReleaseError(f"the release needs epsilon {total}; {budget - spent:g} is left")
    return {
        "epsilon_per_table": per_table,
        "epsilon_total": total,
        "contributions": int(definition.get("contributions", 3)),
        "mechanism": MECHANISM,
        "library": f"opendp {importlib.metadata.version('opendp')}",
        "budget": {"epsilon": budget, "spent_before": spent},
    }


def write_table(path: Path, flow: str, participant: str, dims: list[str], rows) -> str:
    """One SDMX-CSV 2.0 file: a row per (period, key, value), a withheld value as an empty
    OBS_VALUE with CONF_STATUS C. Returns the file's SHA-256."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    head = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "REF_AREA", "TIME_PERIOD"]
    writer.writerow([*head, *dims, "OBS_VALUE", "CONF_STATUS"])
    for period, key, value in rows:
        writer.writerow(
            [
                "dataflow",
                f"{AGENCY}:DF_{flow}",
                "I",
                participant,
                period,
                *key,
                "" if value is None else value,
                "C" if value is None else "F",
            ]
        )
    data = buffer.getvalue().encode()
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def write_manifest(out: Path, fields: dict) -> dict:
    """The manifest (what, how protected, the SHA-256 of every file), signed with the
    instance's release key into manifest.sig."""
    manifest = {
        "format": "Veza release 1 (SDMX-CSV 2.0 data, SDMX-ML 2.1 structure)",
        **fields,
        "created_at": timezone.now().isoformat(),
        "public_key": _public_b64(signing_key().public_key()),
    }
    body = json.dumps(manifest, sort_keys=True, indent=2).encode()
    (out / "manifest.json").write_bytes(body)
    (out / "manifest.sig").write_text(base64.b64encode(signing_key().sign(body)).decode())
    return manifest


def build_release(
    participant_code: str,
    year: int,
    out: Path,
    *,
    threshold: int | None = None,
    method: str | None = None,
    privacy: dict | None = None,
    progress=None,
) -> Built:
    """Write one SDMX-CSV file per table and a signed manifest into `out`, protected by
    `method` (the spec's by default). A `dp` release needs `privacy`: the budget of the
    participant's year and what was spent of it before ({"budget": ε, "spent_before": ε});
    the caller records the spending (services)."""
    definition = spec()
    threshold = threshold or int(definition.get("threshold", 5))
    method = method or definition.get("method", "suppression")
    if method not in METHODS:
        raise ReleaseError(f"unknown protection method {method!r}")
    parameters = _method_parameters(definition, method, privacy)
    cases, referrals = extract(participant_code, year)
    if cases.height == 0:
        raise NothingToRelease(
            f"No case of {participant_code} was registered in {year}: there is nothing to release."
        )
    codes = definition.get("codes") or {}
    if method == "dp":
        # Bound what one person adds to a table: at most `contributions` forms of exploitation
        # and referrals each (the sensitivity the noise is calibrated to).
        bound = parameters["contributions"]
        cases = cases.with_columns(
            pl.col("EXPLOITATION").list.unique(maintain_order=True).list.head(bound)
        )
        referrals = referrals.filter(pl.col("PER_PERSON") <= bound)
        codes = {**codes, **(definition.get("dp_codes") or {})}
    out.mkdir(parents=True, exist_ok=True)
    files, tables = {}, []
    all_codes: dict[str, list[str]] = {"REF_AREA": [participant_code], "CONF_STATUS": ["F", "C"]}
    for number, table_spec in enumerate(definition["tables"], start=1):
        dims = list(table_spec["dimensions"])
        frame = referrals if dims[0] == "SERVICE" else cases
        if frame.height == 0 and method != "dp":  # dp: whether a table is empty is private
            continue
        table = _table(frame, dims, codes, closed=method == "dp")
        published, done = protect_table(table, method, parameters, threshold=threshold, dims=dims)
        name = f"{table_spec['id']}.csv"
        rows = [(year, key, value) for key, value in sorted(published.items())]
        files[name] = write_table(
            out / name, f"{table_spec['id']}(1.0)", participant_code, dims, rows
        )
        for dim in dims:
            known = all_codes.setdefault(dim, [])
            known.extend(c for c in table.codes[dim] if c not in known)
        tables.append(
            {
                "id": table_spec["id"],
                "title": table_spec.get("title", table_spec["id"]),
                "dimensions": dims,
                "cells": len(table.cells),
                **done,
            }
        )
        if progress:
            progress(number, len(definition["tables"]), table_spec["id"])
    structure = structure_xml(tables, all_codes, version=f"{definition['version']}.0")
    (out / "structure.xml").write_bytes(structure)
    files["structure.xml"] = hashlib.sha256(structure).hexdigest()
    manifest = write_manifest(
        out,
        {
            "participant": participant_code,
            "year": year,
            "spec": definition["id"],
            "spec_version": definition["version"],
            "threshold": threshold,
            "method": method,
            "parameters": parameters,
            "tables": tables,
            "files": files,
        },
    )
    return Built(out, manifest)


def audit_release(directory: Path, *, width: int | None = None) -> tuple[list[str], dict]:
    """Check the signature and every file's checksum, then solve each table as an attacker
    would. Returns (problems, unsafe cells per table); both empty when the release is safe."""
    problems: list[str] = []
    body = (directory / "manifest.json").read_bytes()
    manifest = json.loads(body)
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(manifest["public_key"]))
        key.verify(base64.b64decode((directory / "manifest.sig").read_text()), body)
    except Exception:  # any malformed or wrong signature is the same answer
        problems.append(_("the manifest's signature does not verify"))
    method, parameters = manifest.get("method", "suppression"), manifest.get("parameters") or {}
    problems.extend(audit_method(manifest))
    rounding_width = width  # rounding: the base unless asked otherwise (see disclosure.py)
    width = width or int(manifest["threshold"])
    allowed: dict = {}
    if "structure.xml" in manifest["files"]:
        data = (directory / "structure.xml").read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest["files"]["structure.xml"]:
            problems.append(_("structure.xml does not match its checksum in the manifest"))
        try:
            allowed = read_structure(data)
        except Exception:  # the reader raises many kinds of error on a malformed file
            problems.append(_("structure.xml is not a readable SDMX-ML structure"))
    unsafe_by_table = {}
    for table in manifest["tables"]:
        name = f"{table['id']}.csv"
        data = (directory / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != manifest["files"].get(name):
            problems.append(
                _("%(name)s does not match its checksum in the manifest") % {"name": name}
            )
        dims = table["dimensions"]
        reader = csv.DictReader(io.StringIO(data.decode()))
        by_period: dict[str, dict] = {}
        codes: dict[str, set] = {d: set() for d in dims}
        declared = allowed.get(table["id"], {})
        wrong = set()
        for row in reader:
            key = tuple(row[d] for d in dims)
            wrong.update(
                (d, c) for d, c in zip(dims, key, strict=True) if c not in declared.get(d, {c})
            )
            # Each period is a table of its own (a monthly dataflow holds twelve).
            published = by_period.setdefault(row.get("TIME_PERIOD", ""), {})
            published[key] = None if row["OBS_VALUE"] == "" else int(row["OBS_VALUE"])
            for d, c in zip(dims, key, strict=True):
                if c != TOTAL:
                    codes[d].add(c)
        if wrong:
            problems.extend(
                _("%(name)s: code %(code)s is not in the code list of %(dim)s")
                % {"name": name, "code": c, "dim": d}
                for d, c in sorted(wrong)
            )
            continue  # the table does not fit its structure: nothing to audit
        unsafe = {}
        try:
            for period, published in by_period.items():
                shape = Table(tuple(dims), {d: tuple(sorted(codes[d])) for d in dims}, published)
                found = audit_table(
                    table.get("protection", method),
                    published,
                    shape,
                    width=width,
                    base=int(parameters.get("base") or 0),
                    rounding_width=rounding_width,
                    problems=problems,
                    name=name,
                )
                several = len(by_period) > 1
                unsafe.update({((period, *c) if several else c): i for c, i in found.items()})
        except KeyError:
            problems.append(
                _("%(name)s does not hold the full table with its totals") % {"name": name}
            )
            continue
        if unsafe:
            unsafe_by_table[table["id"]] = unsafe
    return problems, unsafe_by_table
