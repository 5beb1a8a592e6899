"""Run a command against a throw-away PostgreSQL cluster.

    python tests/pgcluster.py -- pytest -q

Creates a cluster with `initdb` in a temporary directory, starts it with `pg_ctl` on a free
loopback port, exports DATABASE_URL for the command, and removes everything afterwards. As root
(CI), the server runs as the unprivileged `postgres` account, since PostgreSQL refuses root.
Exits 0 with a notice, without running anything, when PostgreSQL is not installed, unless
VEZA_REQUIRE_POSTGRES=1 (CI sets it) makes that an error.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_bin(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else shutil.which(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_cluster(*, keep: bool = False):
    """A started throw-away cluster: yields the environment for its clients (DATABASE_URL,
    VEZA_PG_CTL), or None when PostgreSQL is not installed. Stopped and removed on exit unless
    `keep` (then left running for inspection, and its stop command printed)."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not (initdb and pg_ctl):
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="veza-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        for path in (base, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    log = base / "server.log"
    env: dict | None = None
    try:
        subprocess.run(
            [
                *prefix,
                initdb,
                "-D",
                str(data),
                "-U",
                "veza",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://veza@127.0.0.1:{port}/postgres")
        # For the fault test that restarts the database mid-load (tests/test_database_restart.py).
        # `$VEZA_PG_CTL stop|start` (tests/test_database_restart.py stops it mid-load).
        env["VEZA_PG_CTL"] = shlex.join(
            [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w"]
        )
        print(f"Throw-away PostgreSQL on 127.0.0.1:{port}", file=sys.stderr)
        yield env
    finally:
        if keep and env is not None:
            print(
                f"PostgreSQL kept running: {env['DATABASE_URL']}; stop it with "
                f"{shlex.join([*prefix, pg_ctl, '-D', str(data), 'stop'])} && rm -r {base}",
                file=sys.stderr,
            )
        else:
            subprocess.run(
                [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    with running_cluster() as env:
        if env is None:
            message = "PostgreSQL (initdb, pg_ctl) is not installed: the PostgreSQL run is skipped."
            if os.environ.get("VEZA_REQUIRE_POSTGRES") == "1":
                print(message.replace("is skipped", "cannot run"), file=sys.stderr)
                return 1
            print(message, file=sys.stderr)
            return 0
        started = time.monotonic()
        code = subprocess.call(argv, env=env)
        print(f"PostgreSQL run took {time.monotonic() - started:.0f} s", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
