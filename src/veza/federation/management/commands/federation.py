"""`veza federation …`: the instance's identity, its peers, the outbox, packets as files."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from veza.core.context import cli_actor
from veza.core.errors import ValidationError
from veza.federation.envelope import PacketError
from veza.federation.models import Packet, Peer
from veza.federation.services import (
    identity,
    identity_init,
    my_card,
    outbox_flush,
    packet_receive,
    peer_confirm,
    peer_import,
    peer_set_status,
)


class Command(BaseCommand):
    help = "Federation: identity, peers, outbox, packet files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="Create this instance's keys (kept if they exist).")
        init.add_argument("--rotate", action="store_true", help="Replace the keys (old ones kept).")
        card = sub.add_parser("card", help="Write this instance's signed peer card.")
        card.add_argument("--out", required=True)
        sub.add_parser("peers", help="List the peers.")
        add = sub.add_parser("add-peer", help="Read a peer's card (waits for the fingerprint).")
        add.add_argument("card")
        confirm = sub.add_parser("confirm-peer", help="Trust a peer whose fingerprint matches.")
        confirm.add_argument("instance")
        confirm.add_argument("fingerprint", nargs="+")
        for name in ("suspend-peer", "activate-peer"):
            sub.add_parser(name).add_argument("instance")
        sub.add_parser("publish-directory", help="Send this instance's services to its peers.")
        flush = sub.add_parser("flush", help="Deliver the packets that are due now.")
        flush.add_argument("--force", action="store_true", help="Every pending packet, now.")
        sub.add_parser("outbox", help="List packets waiting for delivery.")
        export = sub.add_parser("export", help="Write a queued packet to a file (no network).")
        export.add_argument("packet_id")
        export.add_argument("--out", required=True)
        receive = sub.add_parser("import", help="Receive a packet from a file.")
        receive.add_argument("path")

    def handle(self, *args, action, **options):
        handler = getattr(self, "do_" + action.replace("-", "_"))
        try:
            handler(**options)
        except ValidationError as exc:
            raise CommandError(exc.text()) from exc

    def do_init(self, rotate=False, **options):
        new = identity_init(actor=cli_actor(), rotate=rotate)
        self.stdout.write(f"Instance identity ready. Fingerprint: {new.fingerprint}")

    def do_card(self, out, **options):
        Path(out).write_bytes(my_card())
        self.stdout.write(f"Wrote {out}. Fingerprint to read aloud: {identity().fingerprint}")

    def do_peers(self, **options):
        for peer in Peer.objects.all():
            key = peer.key
            self.stdout.write(
                f"{peer.instance}\t{peer.participant}\t{peer.role}\t{peer.status}\t"
                f"{key.fingerprint if key else '-'}\t{peer.base_url}"
            )

    def do_add_peer(self, card, **options):
        path = Path(card)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        peer, key = peer_import(actor=cli_actor(), raw=path.read_bytes())
        self.stdout.write(
            f"Read the card of {peer.name} ({peer.instance}, {peer.participant}). "
            f"Fingerprint: {key.fingerprint} — compare it with their administrator, then run "
            f"`veza federation confirm-peer {peer.instance} FINGERPRINT`."
        )

    def _peer(self, instance):
        peer = Peer.objects.filter(instance=instance).first()
        if peer is None:
            raise CommandError(f"No peer {instance}.")
        return peer

    def do_confirm_peer(self, instance, fingerprint, **options):
        peer = peer_confirm(
            actor=cli_actor(), peer=self._peer(instance), fingerprint=" ".join(fingerprint)
        )
        self.stdout.write(f"{peer.instance} is trusted.")

    def do_suspend_peer(self, instance, **options):
        peer_set_status(actor=cli_actor(), peer=self._peer(instance), status="suspended")
        self.stdout.write(f"{instance} is suspended.")

    def do_activate_peer(self, instance, **options):
        peer_set_status(actor=cli_actor(), peer=self._peer(instance), status="active")
        self.stdout.write(f"{instance} is trusted again.")

    def do_publish_directory(self, **options):
        from veza.federation.referrals import directory_publish

        count = directory_publish(actor=cli_actor())
        self.stdout.write(f"Directory queued for {count} peer(s).")

    def do_flush(self, force=False, **options):
        counts = outbox_flush(force=force)
        self.stdout.write(f"delivered: {counts['delivered']}, still waiting: {counts['waiting']}")

    def do_outbox(self, **options):
        for packet in Packet.objects.filter(direction="out", status="pending").select_related(
            "peer"
        ):
            self.stdout.write(
                f"{packet.packet_id}\t{packet.packet_type}\t{packet.peer.instance}\t"
                f"attempts={packet.attempts}\t{packet.last_error}"
            )

    def do_export(self, packet_id, out, **options):
        packet = Packet.objects.filter(direction="out", packet_id=packet_id).first()
        if packet is None:
            raise CommandError(f"No packet {packet_id} in the outbox.")
        Path(out).write_text(packet.body)
        self.stdout.write(f"Wrote {out} ({packet.packet_type} for {packet.peer.instance}).")

    def do_import(self, path, **options):
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            result = packet_receive(path.read_bytes(), transport="file")
        except PacketError as error:
            raise CommandError(f"Packet refused: {error.reason}") from error
        self.stdout.write(f"Packet {result['id']}: {result['status']}.")
