"""`veza administrator create USERNAME`: the first administrator of a new instance."""

from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from veza.core.context import cli_actor
from veza.core.errors import VezaError
from veza.core.services import user_create
from veza.organisations.choices import OrganisationType, Sector
from veza.organisations.models import Organisation, Participant, Role
from veza.organisations.services import membership_create, organisation_create


class Command(BaseCommand):
    help = (
        "Create an administrator account in an organisation (created if missing). The password is "
        "asked for, or read from --password-file; the authenticator is set up at first login."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--participant", required=True, help="AL, BA, XK, ME, MK, RS or HUB")
        create.add_argument("--organisation", required=True, help="Name of the organisation")
        create.add_argument("--password-file", help="Read the password from this file")

    def handle(self, *args, username, participant, organisation, password_file=None, **options):
        if get_user_model().objects.filter(username=username).exists():
            raise CommandError(f"An account called {username!r} exists already.")
        place = Participant.objects.filter(code=participant.upper()).first()
        if place is None:
            raise CommandError(f"Unknown participant {participant!r}.")
        if password_file:
            with open(password_file, encoding="utf-8") as handle:
                password = handle.read().strip()
        else:
            password = getpass.getpass("Password (12 to 128 characters): ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The two passwords differ; nothing was created.")
        actor = cli_actor()
        try:
            with transaction.atomic():
                org = Organisation.objects.filter(participant=place, name=organisation).first()
                if org is None:
                    org = organisation_create(
                        actor=actor,
                        participant=place,
                        name=organisation,
                        sector=Sector.REGIONAL_CENTRE
                        if place.code == "HUB"
                        else Sector.NATIONAL_COORDINATOR,
                        type=OrganisationType.PUBLIC_BODY,
                    )
                user = user_create(actor=actor, username=username, password=password)
                membership_create(
                    actor=actor,
                    user=user,
                    organisation=org,
                    role=Role.objects.get(code="administrator"),
                )
        except VezaError as exc:
            details = "; ".join(m for msgs in exc.fields.values() for m in msgs)
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(
            f"Administrator {username} created in {org}. At first login Veza shows a code to "
            "scan with an authenticator app."
        )
