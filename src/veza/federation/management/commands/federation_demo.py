"""`veza federation-demo …`: the people of a demonstration instance, acting through the real
services (every step audited), for `make federation-demo` and the live federation tests.

    setup --participant RS|MK|HUB    organisations, accounts with an authenticator, services, cases
    directory                        the services the peers published to this instance
    offer --case CODE --to-instance ID --service-type TYPE    the case manager refers a person
    respond --reference UUID --accept | --decline REASON      the service provider answers
    update --reference UUID --status in_progress|completed|withdrawn
    show --reference UUID            a referral as this instance holds it
    rejected                         the packets this instance's inbox refused

Refused in production. The statistics side (a release pushed to the hub) is `veza release-demo`:
the federation and statistics apps do not import each other.
"""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from veza.cases.models import Case
from veza.cases.services import case_open, consent_record
from veza.core.context import cli_actor
from veza.core.errors import PermissionDeniedError, ValidationError
from veza.core.services import user_create
from veza.federation.models import CrossBorderReferral, Packet, Peer, RejectedPacket, RemoteService
from veza.federation.referrals import referral_offer, referral_respond, referral_update
from veza.organisations.choices import OrganisationType as T
from veza.organisations.choices import RoleCode as R
from veza.organisations.choices import Sector as S
from veza.organisations.demo import CITIES, DEMO_PASSWORD
from veza.organisations.models import Organisation, Participant, Role
from veza.organisations.services import membership_create, organisation_create
from veza.referrals.services import DEFAULT_SHARED, service_save

#: Invented people of a case each: enough cases for a release with some cells shown.
CASES = [
    {"sex": "female", "age": 24, "citizenship": "MK", "exploitation": ["forced_labour"]},
    {"sex": "male", "age": 31, "citizenship": "AL", "exploitation": ["forced_labour"]},
    {"sex": "female", "age": 19, "citizenship": "RS", "exploitation": ["sexual_exploitation"]},
    {"sex": "female", "age": 27, "citizenship": "RS", "exploitation": ["sexual_exploitation"]},
    {"sex": "male", "age": 45, "citizenship": "RS", "exploitation": ["forced_labour"]},
    {"sex": "female", "age": 33, "citizenship": "BA", "exploitation": ["domestic_servitude"]},
]
#: How many of those cases have the person's consent to a referral to another country.
CROSS_BORDER_CASES = 3


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class Command(BaseCommand):
    help = "Demonstration people acting on a federated instance (demo and live tests only)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        setup = sub.add_parser("setup", help="Organisations, accounts, services and cases.")
        setup.add_argument("--participant", required=True)
        sub.add_parser("directory", help="The peers' published services (JSON).")
        offer = sub.add_parser("offer", help="Refer a case to a peer's service.")
        offer.add_argument("--case", required=True)
        offer.add_argument("--to-instance", required=True)
        offer.add_argument("--service-type", required=True)
        offer.add_argument("--reason", default="Needs a safe place near her family.")
        offer.add_argument("--urgency", default="urgent")
        offer.add_argument("--share", default=",".join(DEFAULT_SHARED))
        respond = sub.add_parser("respond", help="Accept or decline a received referral.")
        respond.add_argument("--reference", required=True)
        answer = respond.add_mutually_exclusive_group(required=True)
        answer.add_argument("--accept", action="store_true")
        answer.add_argument("--decline", metavar="REASON")
        update = sub.add_parser("update", help="Move a referral on (or withdraw it).")
        update.add_argument("--reference", required=True)
        update.add_argument("--status", required=True)
        show = sub.add_parser("show", help="A referral as this instance holds it (JSON).")
        show.add_argument("--reference", required=True)
        sub.add_parser("rejected", help="The packets the inbox refused (JSON).")
        for acting in (offer, respond, update):
            acting.add_argument("--as", dest="username", help="Act as this account.")

    def handle(self, *args, action, **options):
        if settings.PRODUCTION:
            raise CommandError("federation-demo is refused on a production instance.")
        try:
            result = getattr(self, "do_" + action.replace("-", "_"))(**options)
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc
        except PermissionDeniedError as exc:
            raise CommandError("That account may not do this.") from exc
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=_text))

    # --- Setting up --------------------------------------------------------------------------

    def _organisation(self, participant, name, sector, kind):
        organisation = organisation_create(
            actor=cli_actor(),
            participant=participant,
            name=name,
            sector=sector,
            type=kind,
            city=CITIES.get(participant.code, ("",))[0],
        )
        # Marked as demo data on every page, as `veza demo` marks its own.
        Organisation.objects.filter(pk=organisation.pk).update(is_demo=True)
        return organisation

    def _account(self, username, role, organisation, first, last):
        """An account with a confirmed authenticator (its codes: `veza otp-code USER`)."""
        user = user_create(
            actor=cli_actor(),
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            is_demo=True,
            validate=False,
        )
        TOTPDevice.objects.create(user=user, name="demo authenticator", confirmed=True)
        membership_create(
            actor=cli_actor(),
            user=user,
            organisation=organisation,
            role=Role.objects.get(code=role),
        )
        return user

    @transaction.atomic
    def do_setup(self, participant, **options):
        code = participant.upper()
        if code != settings.VEZA_INSTANCE_PARTICIPANT:
            raise CommandError(f"This instance serves {settings.VEZA_INSTANCE_PARTICIPANT}.")
        participant = Participant.objects.filter(code=code).first()
        if participant is None:
            raise CommandError(f"No participant {code}.")
        prefix = code.lower()
        if get_user_model().objects.filter(username__startswith=f"{prefix}.").exists():
            raise CommandError("This instance is set up already.")
        if code == "HUB":
            centre = self._organisation(
                participant, "Regional Centre (demo)", S.REGIONAL_CENTRE, T.INTERNATIONAL
            )
            analyst = self._account("hub.analyst", R.REGIONAL_ANALYST, centre, "Rea", "Analyst")
            return {
                "participant": code,
                "organisations": [centre.name],
                "users": [analyst.username],
            }
        city = CITIES.get(code, (code,))[0]
        social = self._organisation(
            participant, f"Centre for Social Work {city} (demo)", S.SOCIAL_WELFARE, T.PUBLIC_BODY
        )
        shelter = self._organisation(
            participant, f"Safe House {city} (demo)", S.SHELTER_PROTECTION, T.CSO
        )
        office = self._organisation(
            participant,
            f"National Anti-Trafficking Office {code} (demo)",
            S.NATIONAL_COORDINATOR,
            T.PUBLIC_BODY,
        )
        caseworker = self._account(f"{prefix}.casemanager", R.CASE_MANAGER, social, "Mira", code)
        provider = self._account(f"{prefix}.provider", R.SERVICE_PROVIDER, shelter, "Sara", code)
        coordinator = self._account(
            f"{prefix}.coordinator", R.NATIONAL_COORDINATOR, office, "Nora", code
        )
        service = service_save(
            actor=provider,
            organisation=shelter,
            service_type="shelter",
            description="Safe accommodation for women and children, day and night.",
            languages=["en", code.lower()],
            area=f"{city} and surroundings",
            emergency=True,
            capacity_total=12,
            capacity_free=4,
        )
        cases = []
        if code == "RS":  # the demonstration refers from RS; RS also has cases to release
            for number, facts in enumerate(CASES):
                case = case_open(actor=caseworker, organisation=social, **facts)
                if number < CROSS_BORDER_CASES:
                    consent_record(
                        actor=caseworker,
                        case=case,
                        purpose="cross_border",
                        information_version="Cross-border referral leaflet, version 1 (demo)",
                    )
                Case.objects.filter(pk=case.pk).update(is_demo=True)
                cases.append(case.code)
        return {
            "participant": code,
            "organisations": [social.name, shelter.name, office.name],
            "users": [caseworker.username, provider.username, coordinator.username],
            "services": [{"id": service.pk, "type": service.service_type, "at": shelter.name}],
            "cases": cases,
            "cross_border_consent": cases[:CROSS_BORDER_CASES],
        }

    # --- Referrals between participants ------------------------------------------------------

    def _actor(self, username, default_role_suffix):
        username = username or f"{settings.VEZA_INSTANCE_PARTICIPANT.lower()}.{default_role_suffix}"
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No account {username}: run `federation-demo setup` first.")
        return user

    def _referral(self, reference) -> CrossBorderReferral:
        try:
            reference = uuid.UUID(reference)
        except ValueError as exc:
            raise CommandError("The reference is not a UUID.") from exc
        referral = CrossBorderReferral.objects.filter(reference=reference).first()
        if referral is None:
            raise CommandError(f"No referral {reference} on this instance.")
        return referral

    def do_directory(self, **options):
        return [
            {
                "peer": s.peer.instance,
                "organisation": s.organisation_name,
                "service_type": s.service_type,
                "capacity_free": s.capacity_free,
            }
            for s in RemoteService.objects.select_related("peer")
        ]

    def do_offer(self, case, to_instance, service_type, reason, urgency, share, username, **o):
        actor = self._actor(username, "casemanager")
        found = Case.objects.filter(code=case).first()
        if found is None:
            raise CommandError(f"No case {case}.")
        peer = Peer.objects.filter(instance=to_instance).first()
        remote = RemoteService.objects.filter(peer=peer, service_type=service_type).first()
        if remote is None:
            raise CommandError(f"{to_instance} has published no {service_type} service here.")
        referral = referral_offer(
            actor=actor,
            case=found,
            remote_service=remote,
            reason=reason,
            urgency=urgency,
            shared_fields=[f for f in share.split(",") if f],
        )
        return self._sent(referral)

    def do_respond(self, reference, accept, decline, username, **options):
        referral = referral_respond(
            actor=self._actor(username, "provider"),
            referral=self._referral(reference),
            accept=accept,
            reason=decline or "",
        )
        return self._sent(referral)

    def do_update(self, reference, status, username, **options):
        referral = self._referral(reference)
        suffix = (
            "provider" if referral.direction == CrossBorderReferral.Direction.IN else "casemanager"
        )
        referral = referral_update(
            actor=self._actor(username, suffix), referral=referral, status=status
        )
        return self._sent(referral)

    def do_show(self, reference, **options):
        return self._show(self._referral(reference))

    def _show(self, referral: CrossBorderReferral) -> dict:
        return {
            "reference": str(referral.reference),
            "direction": referral.direction,
            "peer": referral.peer.instance,
            "status": referral.status,
            "case": referral.case.code,
            "remote_case_code": referral.remote_case_code,
            "counterpart": referral.counterpart,
            "timeline": list(
                referral.case.events.order_by("at", "id").values_list("kind", flat=True)
            ),
        }

    def _sent(self, referral: CrossBorderReferral) -> dict:
        """The referral and the packet this step queued for the peer (sent by the outbox)."""
        packet = Packet.objects.filter(direction="out", peer=referral.peer).latest("pk")
        return {
            **self._show(referral),
            "packet": {"id": packet.packet_id, "type": packet.packet_type, "status": packet.status},
        }

    def do_rejected(self, **options):
        return [
            {
                "reason": r.reason,
                "sender": r.sender,
                "packet": r.packet_id,
                "type": r.packet_type,
                "transport": r.transport,
                "detail": r.detail,
            }
            for r in RejectedPacket.objects.order_by("received_at", "pk")
        ]
