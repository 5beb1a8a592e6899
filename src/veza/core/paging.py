"""Lists a page at a time without counting every row behind them.

A national instance's case, screening and worklist lists hold hundreds of thousands of rows, and
Django's Paginator counts them all on every page (`SELECT COUNT(*)` over the whole visible set: the
costliest query of those pages at 100,000 cases). `BoundedPaginator` counts at most `ahead` rows,
or to the end of the page asked for if that is further (a `COUNT(*)` over a `LIMIT`ed subquery),
so its cost stays the same however large the list grows. Beyond the bound the page says "more
than 1,000" and "page 3 of 41 or more", and its Next link stays: every page can be reached.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property

__all__ = ["BoundedPaginator"]


class BoundedPaginator(Paginator):
    #: How many rows are counted at most (further only to reach the asked page's end).
    ahead = 1000

    def __init__(self, object_list, per_page, *, ahead: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if ahead is not None:
            self.ahead = ahead
        self._asked = 1

    def validate_number(self, number):
        # The first page asked for (by get_page or page, as DRF does) sets how far to count.
        if "count" not in self.__dict__:
            try:
                # A page far past any list is as good as the last one (and must not overflow
                # the database's LIMIT): 10^12 rows are more than any instance will hold.
                self._asked = min(max(int(number), 1), 10**12 // self.per_page)
            except (TypeError, ValueError, OverflowError):
                self._asked = 1
        return super().validate_number(number)

    @cached_property
    def _limit(self) -> int:
        # One row past what the page needs to know: the bound, or the end of the asked page.
        return max(self.ahead, self._asked * self.per_page) + 1

    @cached_property
    def count(self) -> int:
        """The rows counted: the list's length, or the bound when there are more (`capped`)."""
        rows = self.object_list
        if not hasattr(rows, "order_by"):  # a list already in memory
            return min(len(rows), self._limit)
        # Counting needs no order, so the database stops at the bound.
        return rows.order_by()[: self._limit].count()

    @property
    def capped(self) -> bool:
        """True when the list holds more rows than were counted."""
        return self.count >= self._limit

    @property
    def shown_count(self) -> int:
        """The count a page shows: exact, or the round bound that the list exceeds."""
        return self._limit - 1 if self.capped else self.count
