"""`veza token create|list|revoke`: API tokens, issued by administrators on the command line."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from veza.core.context import cli_actor
from veza.core.errors import PermissionDeniedError
from veza.core.models import ApiToken
from veza.core.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a new token and print it once.")
        create.add_argument("username")
        create.add_argument("--label", default="")
        create.add_argument("--days", type=int, default=365, help="Valid for this many days.")
        listing = sub.add_parser("list", help="List a user's tokens (never their secrets).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def _user(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account is called {username!r}.")
        return user

    def handle(self, *args, action, **options):
        if action == "create":
            user = self._user(options["username"])
            if not user.is_active:
                raise CommandError(f"{user.username} is deactivated; no token was issued.")
            if options["days"] < 1 or options["days"] > 3650:
                raise CommandError("--days must be between 1 and 3650.")
            expires = timezone.now() + timedelta(days=options["days"])
            try:
                token, text = token_create(
                    actor=cli_actor(), user=user, label=options["label"], expires_at=expires
                )
            except PermissionDeniedError as exc:
                raise CommandError(f"{exc.message} No token was issued.") from exc
            self.stderr.write(
                f"Token {token.prefix} for {user.username}, valid until {expires:%Y-%m-%d}. "
                "It is shown once: keep it in a password manager."
            )
            self.stdout.write(text)
        elif action == "list":
            user = self._user(options["username"])
            for token in ApiToken.objects.filter(user=user).order_by("created_at"):
                state = "revoked" if token.revoked_at else "live"
                expires = f"\texpires {token.expires_at:%Y-%m-%d}" if token.expires_at else ""
                self.stdout.write(
                    f"{token.prefix}\t{state}\t{token.label}\t"
                    f"created {token.created_at:%Y-%m-%d}{expires}"
                )
        else:
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"No token has the prefix {options['prefix']!r}.")
            token_revoke(actor=cli_actor(), token=token)
            self.stdout.write(f"Token {token.prefix} revoked.")
