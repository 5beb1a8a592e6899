"""Where apps of the same layer meet across instances without importing each other: an app
registers what it does with a received packet type (`register_handler`), and the federation
registers how a packet is sent (`register_sender`). The statistics app, for one, sends its
releases to the hub and stores the ones it receives, without knowing the federation."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["handler_for", "register_handler", "register_sender", "send", "sender_available"]

_HANDLERS: dict[str, Callable] = {}
_SENDER: list[Callable] = []


def register_handler(packet_type: str, handler: Callable) -> None:
    """`handler(peer, payload, packet_id)` runs inside the inbox's transaction; it returns the
    packets to send back as a list of (packet_type, payload), or None."""
    _HANDLERS[packet_type] = handler


def handler_for(packet_type: str) -> Callable | None:
    return _HANDLERS.get(packet_type)


def register_sender(sender: Callable) -> None:
    """`sender(recipient_role_or_instance, packet_type, payload) -> packet id`."""
    _SENDER[:] = [sender]


def sender_available() -> bool:
    return bool(_SENDER)


def send(recipient: str, packet_type: str, payload: dict) -> str:
    """Queue a packet for a peer (an instance id, or "hub" for the regional hub)."""
    if not _SENDER:
        raise LookupError("no federation is installed")
    return _SENDER[0](recipient, packet_type, payload)
