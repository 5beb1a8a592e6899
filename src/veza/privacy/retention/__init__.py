"""`veza retention purge`: erase or anonymise what the retention register says has run out.

Each class of the register has a purge rule (`rules`): which records have run out for a
participant (`candidates`) and what happens to one of them (`apply`). The purge (`run`) works
class by class and participant by participant, in batches: one transaction per batch, one
savepoint per record, so that a record is purged entirely or not at all, and one
`retention.purge` audit entry per batch (counts only) in the batch's transaction. Open cases and
cases under a legal hold are never touched, nor is anything linked to them.
"""

from veza.privacy.retention.rules import PURGERS, Purger
from veza.privacy.retention.run import PlanRow, PurgeReport, purge_plan, retention_purge

__all__ = ["PURGERS", "PlanRow", "PurgeReport", "Purger", "purge_plan", "retention_purge"]
