"""Emergency access (break-the-glass) to a case is told at once to the national coordinators of
the case's participant and to the people who manage cases in the owning organisation. The notice
and its e-mail copy name the case reference and point to the list of emergency accesses, where
the reader sees who opened it, why and until when (the reason is free text: it stays in Veza)."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils.translation import gettext_noop

from veza.cases.emergency import emergency_access_opened
from veza.organisations.models import Organisation
from veza.referrals.notices import register_notice
from veza.referrals.services import members_with, notify

__all__ = ["BREAK_GLASS_NOTICE", "emergency_access_watchers"]

BREAK_GLASS_NOTICE = "case.break_glass"

register_notice(
    BREAK_GLASS_NOTICE,
    gettext_noop("Emergency access was opened to a case of your organisation or country"),
    "cases:break-glass-log",
)


def emergency_access_watchers(case) -> list:
    """National coordinators of the case's participant and the owning organisation's case
    workers (who may end the access)."""
    watchers = list(members_with(case.organisation, "cases.change_case"))
    for organisation in Organisation.objects.filter(participant_id=case.participant_id):
        watchers += [
            user
            for user in members_with(organisation, "cases.view_participant_cases")
            if user not in watchers
        ]
    return watchers


@receiver(emergency_access_opened, dispatch_uid="veza-referrals-emergency-access")
def _tell_watchers(sender, grant, actor, **kwargs):
    watchers = [u for u in emergency_access_watchers(grant.case) if u.pk != actor.pk]
    notify(watchers, BREAK_GLASS_NOTICE, case=grant.case)
