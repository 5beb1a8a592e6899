"""Veza instances side by side on this machine, each a separate process with its own SQLite
database, keys and loopback port, driven through the `veza` command as their administrators and
users would drive them. `make federation-demo` (scripts/federation_demo.py) and
tests/federation/test_live.py are built from these pieces.

No Django here: every instance has its own settings, so each one is its own process.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from veza.federation.envelope import Identity, card_read, seal

__all__ = [
    "CommandFailed",
    "Instance",
    "each",
    "federation_log",
    "forge",
    "free_port",
    "init",
    "make_instances",
    "prepare",
    "read_card",
    "setup",
    "stop_all",
    "tamper",
    "trust",
    "trust_all",
]

FINGERPRINT = re.compile(r"Fingerprint(?: to read aloud)?: ((?:[0-9A-F]{4} ){7}[0-9A-F]{4})")
INBOX = "/federation/inbox/"
NAMES = {"RS": "Serbia", "MK": "North Macedonia", "HUB": "Regional hub"}


class CommandFailed(RuntimeError):
    """A `veza` command (or a server) of an instance failed; the message ends with its output."""


@dataclass
class Instance:
    """One Veza instance: `veza-<key>`, serving participant `participant` on 127.0.0.1:`port`,
    everything it keeps under `root` (database, keys, releases, its log)."""

    key: str
    participant: str
    port: int
    root: Path
    releases_to: str = "hub"
    server: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return f"veza-{self.key}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.root / "veza.log"

    @property
    def card(self) -> Path:
        return self.root / f"{self.id}.card"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VEZA_")}
        env.update(
            # Its own SQLite database, also when the caller runs on PostgreSQL (DATABASE_URL).
            DATABASE_URL="",
            DJANGO_SETTINGS_MODULE="veza.settings",
            VEZA_ENV="demo",
            VEZA_DATA_DIR=str(self.root / "data"),
            VEZA_KEYS_DIR=str(self.root / "keys"),
            VEZA_INSTANCE_ID=self.id,
            VEZA_INSTANCE_NAME=f"Veza {NAMES.get(self.participant, self.participant)} (demo)",
            VEZA_INSTANCE_PARTICIPANT=self.participant,
            VEZA_BASE_URL=self.url,
            VEZA_RELEASES_TO=self.releases_to,
            VEZA_FEDERATION_TIMEOUT="20",
            VEZA_LOG_LEVEL="INFO",
            # gunicorn's control socket: one per instance, not one per user.
            XDG_RUNTIME_DIR=str(self.root),
            PYTHONUNBUFFERED="1",
        )
        return env

    def veza(self, *args: str, check: bool = True, timeout: float = 180) -> str:
        """`veza ARGS` on this instance: its standard output; its log lines go to the log."""
        self.root.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "veza", *args],
            env=self.env(),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        with self.log.open("a") as log:
            log.write(f"$ veza {' '.join(args)}\n{done.stderr}")
        if check and done.returncode:
            output = (done.stderr or done.stdout).strip().splitlines()[-15:]
            raise CommandFailed(f"{self.id}: veza {' '.join(args)} failed:\n" + "\n".join(output))
        return done.stdout

    def json(self, *args: str):
        return json.loads(self.veza(*args))

    # --- The server ------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> None:
        """`veza serve` in its own session (so that it can be stopped as a whole), logging to
        the instance's log; returns once /health/ answers."""
        if self.server is not None and self.server.poll() is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            log.write(f"$ veza serve 127.0.0.1:{self.port}\n")
            log.flush()
            self.server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
                [sys.executable, "-m", "veza", "serve", f"127.0.0.1:{self.port}", "--workers", "1"],
                env=self.env(),
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.server.poll() is not None or time.monotonic() > deadline:
                self.stop()
                tail = "\n".join(self.log.read_text().splitlines()[-10:])
                raise CommandFailed(f"{self.id}: the server did not start:\n{tail}")
            time.sleep(0.2)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/health/", timeout=2) as answer:  # noqa: S310
                return answer.status == 200
        except (OSError, ValueError):
            return False

    def stop(self, timeout: float = 20) -> None:
        """Stop the server this object started (its master stops its workers)."""
        server, self.server = self.server, None
        if server is None or server.poll() is not None:
            return
        server.terminate()
        try:
            server.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its own session: the master and its workers
            server.wait()

    def post(self, raw: bytes) -> tuple[int, dict]:
        """POST a packet to this instance's inbox, as a peer would: (HTTP status, answer)."""
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.url + INBOX,
            data=raw,
            method="POST",
            headers={"Content-Type": "application/vnd.veza.packet+json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")


def free_port() -> int:
    """A loopback port free now (the OS picks it, so parallel test workers do not clash)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_instances(
    root: Path, participants: Iterable[str] = ("RS", "MK", "HUB"), ports: Iterable[int] = ()
) -> list[Instance]:
    """Instances `veza-rs`, `veza-mk`, `veza-hub` … under `root`, on the given or free ports.
    National instances push their releases to the hub; the hub keeps what it receives."""
    ports = list(ports)
    made = []
    for number, participant in enumerate(participants):
        key = participant.lower()
        made.append(
            Instance(
                key=key,
                participant=participant,
                port=ports[number] if number < len(ports) else free_port(),
                root=Path(root) / key,
                releases_to="local" if participant == "HUB" else "hub",
            )
        )
    return made


def each(instances: Iterable[Instance], action: Callable[[Instance], object]) -> list:
    """`action(instance)` for every instance at once (each has its own database)."""
    instances = list(instances)
    with ThreadPoolExecutor(max_workers=len(instances) or 1) as pool:
        return list(pool.map(action, instances))


def stop_all(instances: Iterable[Instance]) -> None:
    for instance in instances:
        instance.stop()


# --- Administrators and people ---------------------------------------------------------------


def init(instance: Instance) -> str:
    """Migrate the database and create the federation keys: the fingerprint to read aloud."""
    instance.veza("migrate", "--noinput")
    instance.veza("federation", "init")
    return _fingerprint(instance.veza("federation", "card", "--out", str(instance.card)))


def _fingerprint(output: str) -> str:
    found = FINGERPRINT.search(output)
    if found is None:
        raise CommandFailed(f"no fingerprint in: {output.strip()}")
    return found.group(1)


def trust(instance: Instance, peer: Instance, read_aloud: str) -> str:
    """`instance`'s administrator reads `peer`'s card, compares the fingerprint it shows with
    the one `peer`'s administrator reads over the phone, and confirms it only if they match."""
    shown = _fingerprint(instance.veza("federation", "add-peer", str(peer.card)))
    if shown != read_aloud:
        raise CommandFailed(f"{instance.id}: {peer.id}'s card shows {shown}, not {read_aloud}")
    instance.veza("federation", "confirm-peer", peer.id, *read_aloud.split())
    return shown


def trust_all(instances: list[Instance], fingerprints: dict[str, str]) -> list[str]:
    """Every instance trusts every other one (each administrator confirms the others' cards)."""

    def confirm_others(instance: Instance) -> list[str]:
        return [
            f"{instance.id} trusts {peer.id}: {trust(instance, peer, fingerprints[peer.id])}"
            for peer in instances
            if peer is not instance
        ]

    return [line for lines in each(instances, confirm_others) for line in lines]


def setup(instance: Instance) -> dict:
    """The demonstration people, services and cases of the instance (what was created)."""
    return instance.json("federation-demo", "setup", "--participant", instance.participant)


def prepare(instances: list[Instance]) -> dict[str, dict]:
    """From nothing to servers answering: databases, keys, cards exchanged and confirmed both
    ways, the demonstration people (`federation-demo setup`), `veza serve` for each.
    Returns what each setup created, by instance id."""
    fingerprints = dict(zip((i.id for i in instances), each(instances, init), strict=True))
    trust_all(instances, fingerprints)
    people = each(instances, setup)
    each(instances, Instance.start)
    return dict(zip((i.id for i in instances), people, strict=True))


# --- Packets as a peer (or an attacker) would post them --------------------------------------


def read_card(instance: Instance) -> dict:
    return card_read(instance.card.read_bytes())


def _identity(instance: Instance) -> Identity:
    keys = instance.root / "keys"
    return Identity.from_bytes(
        *(
            bytes.fromhex((keys / f"federation-{name}.key").read_text().strip())
            for name in ("signing", "encryption")
        )
    )


def forge(
    sender: Instance,
    recipient: Instance,
    packet_type: str,
    payload: dict,
    *,
    ttl: timedelta = timedelta(days=1),
) -> bytes:
    """A packet sealed with `sender`'s own keys (read from its key files) for `recipient`."""
    _packet_id, raw = seal(
        _identity(sender),
        sender=sender.id,
        recipient=recipient.id,
        recipient_encryption_key=read_card(recipient)["encryption_key"],
        packet_type=packet_type,
        payload=payload,
        ttl=ttl,
    )
    return raw


def tamper(raw: bytes) -> bytes:
    """The packet with one header field changed on the way (its signature no longer fits)."""
    packet = json.loads(raw)
    packet["header"]["created"] = "2020-01-01T00:00:00+00:00"
    return json.dumps(packet).encode()


def federation_log(instance: Instance, limit: int = 12) -> list[str]:
    """The instance's last federation log lines: packets queued, delivered, refused, processed,
    and the inbox's answers."""
    if not instance.log.exists():
        return []
    lines = [
        line
        for line in instance.log.read_text(errors="replace").splitlines()
        if " veza.federation " in line or INBOX in line
    ]
    return lines[-limit:]
