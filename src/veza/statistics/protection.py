"""A release's tables protected by the release's method — suppression, controlled rounding or
differentially private counts — and the audit that matches each. No Django."""

from __future__ import annotations

from django.utils.translation import gettext as _

from veza.statistics.disclosure import (
    RoundingError,
    Table,
    audit,
    audit_rounded,
    controlled_round,
    dp_counts,
    protect,
    relations,
)

__all__ = ["METHODS", "PROTECTIONS", "audit_method", "audit_table", "protect_table"]

#: Protection methods of a release: withhold cells, round every cell, or noisy counts.
METHODS = ("suppression", "rounding", "dp")

#: What may protect a table of a release of each method: rounding falls back to suppression
#: for a table that cannot be rounded; noise has no fallback.
PROTECTIONS = {
    "suppression": {"suppression"},
    "rounding": {"rounding", "suppression"},
    "dp": {"dp"},
}


def protect_table(table: Table, method: str, parameters: dict, *, threshold: int, dims):
    """(published cells, what was done) for one table by the release's method."""
    if method == "rounding":
        try:
            rounded = controlled_round(table, base=parameters["base"])
        except RoundingError as exc:
            fallback = protect(table, threshold=threshold)
            return fallback.published(), {
                "protection": "suppression",
                "fallback": str(exc),
                "withheld_primary": len(fallback.primary),
                "withheld_secondary": len(fallback.secondary),
            }
        return rounded.published(), {
            "protection": "rounding",
            "base": rounded.base,
            "cells_rounded": rounded.changed,
        }
    if method == "dp":
        # A person counts in one cell of a table, or in several: up to `contributions` forms of
        # exploitation or referrals (the extract is clipped to that many before counting).
        several = "EXPLOITATION" in dims or dims[0] == "SERVICE"
        contributions = parameters["contributions"] if several else 1
        noisy = dp_counts(table, parameters["epsilon_per_table"], contributions)
        return noisy.published(), {
            "protection": "dp",
            "epsilon": noisy.epsilon,
            "contributions": noisy.contributions,
            "scale": noisy.scale,
        }
    protected = protect(table, threshold=threshold)
    return protected.published(), {
        "protection": "suppression",
        "withheld_primary": len(protected.primary),
        "withheld_secondary": len(protected.secondary),
    }


def audit_method(manifest: dict) -> list[str]:
    """Problems of the method as a whole: its parameters, each table's protection, and for
    differential privacy the epsilon spent against the budget recorded in the manifest."""
    method = manifest.get("method", "suppression")
    parameters = manifest.get("parameters") or {}
    if method not in METHODS:
        return [f"unknown protection method {method!r}"]
    problems = []
    for table in manifest["tables"]:
        protection = table.get("protection", method)
        if protection not in PROTECTIONS[method]:
            problems.append(
                _(
                    "%(table)s is protected by %(protection)s, not by the release's method "
                    "%(method)s"
                )
                % {"table": table["id"], "protection": protection, "method": method}
            )
    if method == "rounding" and int(parameters.get("base") or 0) < 2:
        problems.append(_("the manifest gives no rounding base"))
    if method == "dp":
        total = float(parameters.get("epsilon_total") or 0)
        spent = sum(float(t.get("epsilon") or 0) for t in manifest["tables"])
        budget = parameters.get("budget") or {}
        if total <= 0 or abs(spent - total) > 1e-6:
            problems.append(
                _("the tables spend epsilon %(spent)s, the manifest says %(total)s")
                % {"spent": f"{spent:g}", "total": f"{total:g}"}
            )
        if float(budget.get("spent_before", 0)) + total > float(budget.get("epsilon", 0)) + 1e-9:
            problems.append(_("the release spends more epsilon than its privacy budget has left"))
    return problems


def audit_table(protection, published, shape, *, width, base, rounding_width, problems, name):
    """The unsafe cells of one table by the way it says it was protected; what contradicts
    that way is added to `problems`. A missing cell raises KeyError."""
    table_relations = relations(shape)
    if protection == "suppression":
        return audit(published, table_relations, width=width)
    if protection not in ("rounding", "dp") or (protection == "rounding" and base < 2):
        return {}  # reported by audit_method: the release fails
    withheld = sum(1 for v in published.values() if v is None)
    if withheld:
        problems.append(
            _("%(name)s: %(count)s values withheld in a table protected by %(protection)s")
            % {"name": name, "count": withheld, "protection": protection}
        )
    not_additive = 0
    for margin, children in table_relations:
        members = [published[margin], *(published[c] for c in children)]
        if None not in members and members[0] != sum(members[1:]):
            not_additive += 1
    if not_additive:
        problems.append(
            _("%(name)s: %(count)s totals are not the sum of their cells")
            % {"name": name, "count": not_additive}
        )
    if protection == "rounding":
        off = sum(1 for v in published.values() if v is not None and v % base)
        if off:
            problems.append(
                _("%(name)s: %(count)s values are not multiples of the base %(base)s")
                % {"name": name, "count": off, "base": base}
            )
        return audit_rounded(published, table_relations, base=base, width=rounding_width or base)
    negative = sum(1 for v in published.values() if v is not None and v < 0)
    if negative:
        problems.append(
            _("%(name)s: %(count)s values are negative") % {"name": name, "count": negative}
        )
    return {}  # differential privacy: the protection is the noise, not what can be solved
