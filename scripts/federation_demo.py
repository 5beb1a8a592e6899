"""`make federation-demo`: three Veza instances on this machine — Serbia (veza-rs, :8101), North
Macedonia (veza-mk, :8102) and the regional hub (veza-hub, :8103), each with its own SQLite
database and keys in a temporary directory — set up by their administrators, then:

  a referral from a case manager in RS to a shelter in MK, accepted and under way;
  a tampered and a replayed packet refused by MK's inbox;
  a referral sent while MK is down, waiting in RS's outbox and delivered once MK is back;
  RS's national release pushed to the hub, and the hub's receipt back in RS.

Every step is checked (✓/✗); the script exits 0 only when all of them succeeded, and stops every
server it started, also on failure, Ctrl+C or SIGTERM. The pieces are in
src/veza/federation/live.py. `--keep` keeps the instances' files (databases, keys, logs; they are
kept after a failure too).
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from veza.federation.live import (
    CommandFailed,
    Instance,
    each,
    federation_log,
    init,
    make_instances,
    setup,
    stop_all,
    tamper,
    trust_all,
)

PORTS = (8101, 8102, 8103)


class StepFailed(Exception):
    pass


FAILURES = (StepFailed, CommandFailed, subprocess.SubprocessError, OSError, ValueError, KeyError)


def expect(condition, shown) -> None:
    """Fail the step, showing `shown` (a message, or what the instance answered)."""
    if not condition:
        raise StepFailed(shown)


class Steps:
    """Numbered steps: each prints ✓ or ✗, its time and what it showed."""

    def __init__(self):
        self.number, self.started = 0, time.monotonic()

    def run(self, title: str, action) -> object:
        self.number += 1
        began = time.monotonic()
        lines: list[str] = []
        try:
            result = action(lines.append)
        except KeyboardInterrupt:
            print(f"✗ {self.number:>2}. {title} (interrupted)")
            raise
        except FAILURES as exc:
            print(f"✗ {self.number:>2}. {title}")
            for line in [*lines, *str(exc).splitlines()]:
                print(f"       {line}")
            raise
        print(f"✓ {self.number:>2}. {title} ({time.monotonic() - began:.1f} s)")
        for line in lines:
            print(f"       {line}")
        sys.stdout.flush()
        return result


def flushed(instance: Instance, *flags: str) -> str:
    """`veza federation flush` on the instance: its one-line summary."""
    return instance.veza("federation", "flush", *flags).strip()


def main(root: Path, instances: list[Instance]) -> None:
    steps = Steps()
    rs, mk, hub = instances
    state: dict = {}

    def create(say):
        for instance in instances:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", instance.port)) == 0:
                    raise StepFailed(f"port {instance.port} is in use: stop what runs there")
            say(f"{instance.id:<9} {instance.participant:<4} {instance.url}  {instance.root}")

    steps.run(f"Three instances, each with its own database and keys, in {root}", create)

    def keys(say):
        fingerprints = dict(zip((i.id for i in instances), each(instances, init), strict=True))
        for instance_id, fingerprint in fingerprints.items():
            say(f"{instance_id:<9} fingerprint {fingerprint}")
        state["fingerprints"] = fingerprints

    steps.run("Databases migrated, federation keys created (veza federation init, card)", keys)

    def cards(say):
        for line in trust_all(instances, state["fingerprints"]):
            say(line)

    steps.run(
        "Peer cards exchanged; every fingerprint read over the phone, matched and confirmed",
        cards,
    )

    def people(say):
        made = each(instances, setup)
        for instance, created in zip(instances, made, strict=True):
            say(f"{instance.id:<9} {', '.join(created['users'])}")
        state["cases"] = made[0]["cross_border_consent"]
        say(f"veza-rs   cases with consent to a cross-border referral: {', '.join(state['cases'])}")

    steps.run("Accounts with an authenticator, services and cases (federation-demo setup)", people)

    def serve(say):
        each(instances, Instance.start)
        for instance in instances:
            say(f"{instance.url}/health/ answers")

    steps.run("Servers started (veza serve)", serve)

    def directory(say):
        mk.veza("federation", "publish-directory")
        summary = flushed(mk)
        expect(summary.startswith("delivered: 1"), f"MK's flush: {summary}")
        services = rs.json("federation-demo", "directory")
        expect(any(s["service_type"] == "shelter" for s in services), "no shelter from MK")
        for service in services:
            say(
                f"RS now lists {service['organisation']} ({service['peer']}): "
                f"{service['service_type']}, {service['capacity_free']} free"
            )

    steps.run("MK publishes its service directory to RS (publish-directory, flush)", directory)

    def offer(say):
        sent = rs.json(
            "federation-demo", "offer", "--case", state["cases"][0],
            "--to-instance", mk.id, "--service-type", "shelter",
        )  # fmt: skip
        state["reference"], state["offer_packet"] = sent["reference"], sent["packet"]["id"]
        summary = flushed(rs)
        expect(summary.startswith("delivered: 1"), f"RS's flush: {summary}")
        there = mk.json("federation-demo", "show", "--reference", sent["reference"])
        expect(there["status"] == "offered" and there["case"].startswith("MK-"), there)
        state["mk_case"] = there["case"]
        say(f"referral {sent['reference']}, packet {sent['packet']['id']} delivered")
        say(f"MK opened the linked case {there['case']} (RS's code stays in RS)")

    steps.run(
        f"RS's case manager refers case {state['cases'][0]} to the shelter in MK (offer, flush)",
        offer,
    )

    def accept(say):
        answered = mk.json(
            "federation-demo", "respond", "--reference", state["reference"], "--accept"
        )
        expect(answered["status"] == "accepted", answered)
        summary = flushed(mk)
        expect(summary.startswith("delivered: 1"), f"MK's flush: {summary}")
        say(f"referral.response {answered['packet']['id']} delivered to RS")

    steps.run("MK's service provider accepts (respond --accept, flush)", accept)

    def started(say):
        reference = state["reference"]
        moved = mk.json(
            "federation-demo", "update", "--reference", reference, "--status", "in_progress"
        )
        expect(moved["status"] == "in_progress", moved)
        summary = flushed(mk)
        expect(summary.startswith("delivered: 1"), f"MK's flush: {summary}")
        say(f"referral.update {moved['packet']['id']} delivered to RS")

    steps.run("MK: the stay has begun (update --status in_progress, flush)", started)

    def seen(say):
        shown = rs.json("federation-demo", "show", "--reference", state["reference"])
        expect(shown["status"] == "in_progress", shown)
        expect(shown["remote_case_code"] == state["mk_case"], shown)
        steps_seen = [k.removeprefix("referral.cross_border_") for k in shown["timeline"]]
        expect(steps_seen[-3:] == ["offered", "accepted", "in_progress"], shown["timeline"])
        say(f"status {shown['status']}, MK's case code {shown['remote_case_code']}")
        say("timeline: " + ", ".join(shown["timeline"]))

    steps.run("RS sees the answer, MK's case code and the update (show)", seen)

    def refused(say):
        copy = root / "offer.packet"
        rs.veza("federation", "export", state["offer_packet"], "--out", str(copy))
        raw = copy.read_bytes()
        status, answer = mk.post(tamper(raw))
        expect(status == 400 and answer.get("reason") == "bad_signature", (status, answer))
        say(f"a tampered copy: HTTP {status} {answer}")
        status, answer = mk.post(raw)
        expect(status == 200 and answer.get("status") == "duplicate", (status, answer))
        say(f"the same packet again: HTTP {status} {answer} (processed once only)")
        reasons = [r["reason"] for r in mk.json("federation-demo", "rejected")]
        expect(reasons == ["bad_signature", "replayed"], reasons)
        say(f"MK's log of refused packets: {', '.join(reasons)}")

    steps.run("A tampered and a replayed packet are refused by MK's inbox, and logged", refused)

    def down(say):
        mk.stop()
        expect(not mk.healthy(), "MK still answers")
        say(f"{mk.url} does not answer")

    steps.run("MK's server stops (maintenance)", down)

    def waiting(say):
        sent = rs.json(
            "federation-demo", "offer", "--case", state["cases"][1],
            "--to-instance", mk.id, "--service-type", "shelter",
        )  # fmt: skip
        state["second"], state["second_packet"] = sent["reference"], sent["packet"]["id"]
        summary = flushed(rs)
        expect(summary.startswith("delivered: 0, still waiting: 1"), f"RS's flush: {summary}")
        say(f"flush: {summary}")
        outbox = rs.veza("federation", "outbox").strip()
        expect(state["second_packet"] in outbox and "attempts=1" in outbox, outbox)
        for line in outbox.splitlines():
            say(f"outbox: {line}")

    steps.run(
        f"RS refers case {state['cases'][1]} while MK is down: the packet waits in the outbox",
        waiting,
    )

    def delivered(say):
        mk.start()
        summary = flushed(rs, "--force")
        expect(summary.startswith("delivered: 1"), f"RS's flush: {summary}")
        expect(rs.veza("federation", "outbox").strip() == "", "the outbox is not empty")
        there = mk.json("federation-demo", "show", "--reference", state["second"])
        expect(there["status"] == "offered", there)
        say(f"flush --force (no wait for the back-off): {summary}; RS's outbox is empty")
        say(f"packet {state['second_packet']} arrived: MK opened case {there['case']}")

    steps.run("MK is back; RS's outbox delivers the waiting packet", delivered)

    year = int(state["cases"][0].split("-")[1])

    def release(say):
        sent = rs.json("release-demo", "send", "--year", str(year))
        expect(sent["status"] == "sent" and sent["sent_to"] == "hub", sent)
        summary = flushed(rs)
        expect(summary.startswith("delivered: 1"), f"RS's flush: {summary}")
        received = hub.json("release-demo", "show")["received"]
        expect(any(r["participant"] == "RS" and r["year"] == year for r in received), received)
        say(f"release {sent['id']} sent; {summary}")
        for batch in received:
            say(
                f"the hub holds {batch['participant']} {batch['year']} revision "
                f"{batch['revision']} ({batch['observations']} observations)"
            )

    steps.run(
        f"RS's coordinator approves the {year} release with an authenticator code; "
        "it is pushed to the hub",
        release,
    )

    def receipt(say):
        summary = flushed(hub)
        expect(summary.startswith("delivered: 1"), f"the hub's flush: {summary}")
        shown = rs.json("release-demo", "show")["release"]
        expect(shown["acknowledged_at"], shown)
        say(f"hub flush: {summary}")
        say(
            f"RS's release {shown['id']}: acknowledged {shown['acknowledged_at']}, hub revision "
            f"{shown['hub_receipt'].get('revision')}, manifest "
            f"{shown['hub_receipt'].get('manifest_sha256', '')[:16]}…"
        )

    steps.run("The hub's receipt reaches RS", receipt)
    print(f"\nAll {steps.number} steps succeeded in {time.monotonic() - steps.started:.0f} s.")


def show_logs(instances: list[Instance]) -> None:
    instances = [i for i in instances if i.log.exists()]
    if not instances:
        return
    print("\nA packet's journey in the logs (queued and delivered by the sender, processed by the")
    print("receiver; the inbox's answers):")
    for instance in instances:
        print(f"\n--- {instance.id}")
        for line in federation_log(instance, limit=14):
            print(f"    {line}")


def _stop(signum, frame):
    raise KeyboardInterrupt  # the same clean-up as Ctrl+C


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    keep = "--keep" in sys.argv[1:]  # keep the instances' files (databases, keys, logs)
    root = Path(tempfile.mkdtemp(prefix="veza-federation-"))
    instances = make_instances(root, ("RS", "MK", "HUB"), PORTS)
    ok = False
    try:
        main(root, instances)
        ok = True
    except KeyboardInterrupt:
        print("\nInterrupted.")
    except FAILURES:
        pass  # the step printed what went wrong
    finally:
        show_logs(instances)
        stop_all(instances)
    if ok and not keep:
        shutil.rmtree(root, ignore_errors=True)
        print("\n✓ Done. (`python scripts/federation_demo.py --keep` keeps the instances' files.)")
    else:
        print(f"\n{'✓ Done' if ok else '✗ Failed'}. The instances' files are in {root}.")
    sys.exit(0 if ok else 1)
