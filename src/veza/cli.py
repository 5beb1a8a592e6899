"""The `veza` command: Veza's management commands under short names.

    veza serve [ADDR:PORT]     serve Veza (static files included) with gunicorn
    veza migrate               create or update the database
    veza demo                  load the demonstration data (refused in production)
    veza worker                run background tasks
    veza otp-code USER         print a demo account's current login code (demo only)
    veza token create USER     issue an API token (administrators)
    veza audit verify          check the audit chain
    veza keys init             create the instance keys (production)
    veza keys status|rotate|retire ID   field keys: what each seals, a new key, an old one out
    veza backup --out FILE     the whole database in one encrypted archive
    veza restore FILE          restore an archive (verified, all or nothing)
    veza roles sync            apply data/roles.yaml to the built-in roles
    veza recommendations import FILE [--participant RS]   import recommendations
    veza retention purge [--dry-run] [--participant RS]   erase or anonymise what ran out
    veza retention register [--format md|csv] [--out FILE] the record of processing (art. 30)
    veza retention hold CASE --reason TEXT                keep a case out of the purge
    veza subject-access export CASE --out DIR [--lang sr] everything held about a person

Any other Django management command works too (`veza check`, `veza shell`, ...).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"worker": "veza_worker", "otp-code": "otp_code"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1:
        argv[1] = ALIASES.get(argv[1], argv[1].replace("-", "_"))
    if len(argv) == 1 or argv[1] in {"-h", "--help"}:
        print(__doc__)
        if len(argv) == 1:
            return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
