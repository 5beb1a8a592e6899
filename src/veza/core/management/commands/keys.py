"""`veza keys init|status|rotate|retire`: the instance keys kept outside the database.

veza keys init             create any missing key (production: once, before `veza migrate`)
veza keys status           field keys and how many values each one seals, table by table
veza keys rotate           a new field key, and every sealed value re-sealed under it
veza keys rotate --reseal  re-seal under the newest key only (resume, or after adding a key
                           to VEZA_FIELD_KEYS)
veza keys retire ID        take a field key out of use once no value needs it
"""

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import VezaError
from veza.core.keys import instance_secret, key_path
from veza.core.progress import progress_bar

KEYS = ("audit-chain", "api-token", "field-1", "search-index", "release-signing", "backup")


class Command(BaseCommand):
    help = "Create, inspect, rotate and retire the instance keys kept in VEZA_KEYS_DIR."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("init", help="Create the keys that are missing.")
        sub.add_parser("status", help="Field keys, and how many values each seals per table.")
        rotate = sub.add_parser(
            "rotate", help="Create the next field key and re-seal every value under it."
        )
        rotate.add_argument(
            "--reseal",
            action="store_true",
            help="Do not create a key: re-seal what is not yet under the newest key.",
        )
        rotate.add_argument("--batch-size", type=int, default=500, help="Rows per transaction.")
        retire = sub.add_parser("retire", help="Take a field key out of use.")
        retire.add_argument("key_id", type=int, metavar="ID")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(options)
        except VezaError as exc:
            text = exc.text() if hasattr(exc, "text") else str(exc.message)
            raise CommandError(text) from exc

    def _init(self, options):
        from veza.core.crypto import FIELD_KEY_FILE, RETIRED_KEY_FILE

        folder = key_path("field-1").parent
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        # After a rotation and a retirement field-1 is gone on purpose: never create it again.
        rotated = any(FIELD_KEY_FILE.fullmatch(n) or RETIRED_KEY_FILE.fullmatch(n) for n in names)
        for name in KEYS:
            if name == "field-1" and rotated and not key_path(name).exists():
                self.stdout.write(f"kept    the field keys in {folder} (veza keys status)")
                continue
            existed = key_path(name).exists()
            instance_secret(name, create=True)
            self.stdout.write(f"{'kept   ' if existed else 'created'} {key_path(name)}")

    def _status(self, options):
        from veza.core.keyring import field_key_status

        status = field_key_status()
        source = "VEZA_FIELD_KEYS" if status.from_environment else "VEZA_KEYS_DIR"
        self.stdout.write(
            f"Field keys ({source}): "
            + ", ".join(
                f"{k}{' (seals new values)' if k == status.sealing else ''}" for k in status.active
            )
        )
        if status.retired:
            self.stdout.write("Retired: " + ", ".join(str(k) for k in status.retired))
        for table, per_key in status.counts.items():
            counts = ", ".join(
                f"key {k}: {n}{'' if k in status.active else ' (KEY MISSING)'}"
                for k, n in per_key.items()
            )
            self.stdout.write(f"  {table}: {counts or 'no values'}")

    def _rotate(self, options):
        from veza.core.keyring import field_key_rotate

        key_id, resealed = field_key_rotate(
            actor=cli_actor(),
            reseal_only=options["reseal"],
            batch_size=max(1, options["batch_size"]),
            progress=progress_bar(self.stderr),
        )
        for table, count in resealed.items():
            self.stdout.write(f"  {table}: {count} value(s) re-sealed")
        self.stdout.write(
            f"Every sealed value is now under field key {key_id}. Back up VEZA_KEYS_DIR now; "
            "retire the old key with `veza keys retire ID` (see `veza keys status`)."
        )

    def _retire(self, options):
        from veza.core.keyring import field_key_retire

        path = field_key_retire(actor=cli_actor(), key_id=options["key_id"])
        self.stdout.write(
            f"Field key {options['key_id']} is retired: moved to {path}. Values sealed with it "
            "can no longer be opened (keep the file with your key backups)."
        )
