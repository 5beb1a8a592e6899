"""Reads of prevention: the participants whose numbers the public page offers, and the counts of
use a coordinator or analyst may see, protected before they are shown."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from veza.core.charts import stacked_bars
from veza.core.errors import PermissionDeniedError
from veza.organisations.choices import ParticipantKind
from veza.organisations.models import Participant
from veza.organisations.selectors import aggregate_participants
from veza.prevention.models import SelfCheckUse
from veza.prevention.selfcheck import load_selfcheck
from veza.statistics.disclosure import TOTAL, Table, protect

__all__ = [
    "NOT_CHOSEN",
    "THRESHOLD",
    "UseTable",
    "national_participants",
    "participant_by_code",
    "use_table",
    "use_years",
]

VIEW_PERM = "prevention.view_selfcheckuse"
#: Counts below this are withheld, as in a national release (docs/statistics.md).
THRESHOLD = 5
#: The column of checks whose person preferred not to name a participant.
NOT_CHOSEN = "none"


def national_participants():
    """The participants a person can choose on the public page: each has its own numbers. The
    list of participants is public knowledge (not scoped to a user: the visitor has none)."""
    return Participant.objects.exclude(kind=ParticipantKind.REGIONAL).order_by("code")


def participant_by_code(code: str | None) -> Participant | None:
    """The chosen national participant, or None (not chosen, or not one of them)."""
    if not code:
        return None
    return national_participants().filter(code=code).first()


def _visible_participants(user) -> tuple[list[Participant], bool]:
    """The participants whose counts the user may see, and whether the "not chosen" column too:
    the regional analyst sees all, a national coordinator their own participant."""
    if not user.has_perm(VIEW_PERM):
        raise PermissionDeniedError()
    return aggregate_participants(user, VIEW_PERM)


def use_years(user) -> list[int]:
    _visible_participants(user)
    months = SelfCheckUse.objects.dates("month", "year", order="DESC")
    return [m.year for m in months]


@dataclass(frozen=True)
class UseTable:
    year: int
    columns: list[tuple[str, str]]  # (code, label)
    rows: list[tuple[str, str, list[int | None]]]  # (language, its name, cells + total)
    totals: list[int | None]  # per column, then the grand total
    withheld: int
    chart: str

    @property
    def empty(self) -> bool:
        return not self.rows


def use_table(user, *, year: int) -> UseTable:
    """Completed checks per language and participant in `year`, protected like a release: counts
    of 1 to 4 are withheld, and enough others (secondary suppression) that no withheld count can
    be worked out from the totals shown (veza.statistics.disclosure)."""
    participants, with_not_chosen = _visible_participants(user)
    codes = [p.code for p in participants] + ([NOT_CHOSEN] if with_not_chosen else [])
    labels = {p.code: p.name for p in participants} | {NOT_CHOSEN: str(_("not chosen"))}
    rows = SelfCheckUse.objects.filter(month__year=year)
    if not with_not_chosen:
        rows = rows.filter(participant__in=participants)
    counts: dict[tuple[str, str], int] = {}
    for language, code, total in (
        rows.values_list("language", "participant__code").annotate(total=Sum("count")).order_by()
    ):
        key = (language, code or NOT_CHOSEN)
        counts[key] = counts.get(key, 0) + total
    selfcheck = load_selfcheck()
    # Languages and participants without any use in the year are left out: an empty row or
    # column adds nothing to read and, in a sparse table, forces more cells to be withheld.
    languages = [code for code in selfcheck.languages if any(k[0] == code for k in counts)]
    codes = [code for code in codes if any(k[1] == code for k in counts)]
    if not languages or not codes:
        return UseTable(year, [], [], [], 0, "")
    table = Table.from_records(
        ("language", "participant"), {"language": languages, "participant": codes}, counts
    )
    protected = protect(table, threshold=THRESHOLD)
    published = protected.published()
    shown_codes = codes + ([TOTAL] if len(codes) > 1 else [])
    table_rows = [
        (language, selfcheck.names[language], [published[(language, c)] for c in shown_codes])
        for language in languages
    ]
    if len(codes) == 1:  # one column: its row totals are the column itself
        table_rows = [(lang, name, [*cells, cells[0]]) for lang, name, cells in table_rows]
    totals = [published[(TOTAL, c)] for c in codes] + [published[(TOTAL, TOTAL)]]
    chart = stacked_bars(
        [(name, [published[(language, c)] for c in codes]) for language, name, _c in table_rows],
        keys=codes,
        title=str(_("Completed self-checks by language and participant (published figures)")),
    )
    return UseTable(
        year=year,
        columns=[(c, labels[c]) for c in codes],
        rows=table_rows,
        totals=totals,
        withheld=len(protected.withheld),
        chart=chart,
    )
