"""The load scenario's plan: who signs in, with what, and which records they look up.

Read from the database at set-up time (by bench/load/run.py, or by the smoke test), so that the
scenario works on the ordinary demo and on `veza demo --scale N` alike, and no secret is ever
written into the scenario itself. The plan file holds second-factor secrets and API tokens: it is
written with mode 0600 into the run's throw-away directory and removed with it.

    python bench/load/plan.py --out PLAN.json    # DJANGO_SETTINGS_MODULE and the database set
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

__all__ = ["PERSONAS", "build_plan", "write_plan"]

#: Built-in role → the persona of the scenario that signs in with it.
PERSONAS = {
    "frontline_professional": "frontline",
    "case_manager": "case_manager",
    "service_provider": "provider",
    "identification_officer": "provider",
    "national_coordinator": "coordinator",
}
#: Roles whose accounts also hold an API token, as an integration (a case-management system, a
#: coordinator's reporting tool) would.
API_ROLES = ("case_manager", "national_coordinator", "service_provider")
CODES_PER_ACCOUNT = 20


def build_plan(*, api_accounts: int = 60) -> dict:
    """Every demo or `scale.*` account with a confirmed authenticator, by persona, with its TOTP
    parameters and a few case codes it can see (for the case search); API tokens for up to
    `api_accounts` of them, issued as `veza token create` issues them."""
    from django.db.models import Q
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from veza.cases.models import Case
    from veza.core.context import cli_actor
    from veza.core.tokens import token_create
    from veza.organisations.demo import DEMO_PASSWORD
    from veza.organisations.models import Membership
    from veza.referrals.choices import ReferralStatus
    from veza.referrals.models import Referral

    devices = {
        d.user_id: d
        for d in TOTPDevice.objects.filter(confirmed=True).order_by("user_id", "id")
        if d.user_id
    }
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True, role__code__in=PERSONAS)
        .filter(Q(user__is_demo=True) | Q(user__username__startswith="scale."))
        .select_related("user", "role")
        .order_by("user__username", "id")
    )
    accounts: dict[str, list[dict]] = defaultdict(list)
    seen: set[int] = set()
    api_candidates = []
    for membership in memberships:
        user, device = membership.user, devices.get(membership.user_id)
        if device is None or user.pk in seen:
            continue
        seen.add(user.pk)
        persona = PERSONAS[membership.role.code]
        codes = []
        if persona != "frontline":
            codes = list(
                Case.objects.visible_to(user)
                .order_by("-updated_at")
                .values_list("code", flat=True)[:CODES_PER_ACCOUNT]
            )
        # The busiest accounts sign in first (when there are more accounts than users): referrals
        # waiting for a provider's answer, the cases anyone else can see.
        if persona == "provider":
            work = Referral.objects.visible_to(user).filter(
                to_organisation=membership.organisation, status=ReferralStatus.SENT
            )
        else:
            work = Case.objects.visible_to(user)
        accounts[persona].append(
            {
                "username": user.username,
                "work": work.count(),
                "totp": {
                    "key": device.key,
                    "step": device.step,
                    "t0": device.t0,
                    "digits": device.digits,
                    "drift": device.drift,
                },
                "codes": codes,
            }
        )
        if membership.role.code in API_ROLES:
            api_candidates.append(user)
    for persona_accounts in accounts.values():
        persona_accounts.sort(key=lambda a: (-a["work"], a["username"]))
    tokens = []
    expires = timezone.now() + timedelta(days=1)
    for user in api_candidates[:api_accounts]:
        _token, text = token_create(
            actor=cli_actor(), user=user, label="load benchmark", expires_at=expires
        )
        tokens.append({"username": user.username, "token": text})
    # The demo password, which `veza demo --scale` gives its `scale.*` accounts too.
    return {"password": DEMO_PASSWORD, "accounts": dict(accounts), "tokens": tokens}


def write_plan(path: Path, plan: dict) -> None:
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(plan, handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--api-accounts", type=int, default=60)
    args = parser.parse_args()
    import django

    django.setup()
    plan = build_plan(api_accounts=args.api_accounts)
    write_plan(args.out, plan)
    counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(plan["accounts"].items()))
    print(f"Plan: {counts}; {len(plan['tokens'])} API tokens.")


if __name__ == "__main__":
    main()
