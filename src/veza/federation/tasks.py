"""Background delivery of the outbox (`veza worker`)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from veza.core.worker import task_reschedule

__all__ = ["deliver_task", "directory_task", "outbox_task"]


@task()
def deliver_task(packet_pk: int) -> bool:
    """Try one packet as soon as it is queued; the outbox task retries it later if needed."""
    from veza.federation.models import Packet
    from veza.federation.services import deliver

    packet = Packet.objects.select_related("peer").filter(pk=packet_pk).first()
    return bool(packet) and deliver(packet)


@task()
def outbox_task(reschedule_seconds: int = 60) -> dict:
    """Deliver what is due, then queue the next round: `veza worker` keeps this going."""
    from veza.federation.services import outbox_flush

    result = outbox_flush()
    if reschedule_seconds:
        task_reschedule(outbox_task, timedelta(seconds=reschedule_seconds), reschedule_seconds)
    return result


@task()
def directory_task(reschedule_minutes: int = 24 * 60) -> int:
    """Send this instance's service directory to its national peers, then again a day later
    (a peer's copy is never older than a day while both run)."""
    from veza.federation.models import Peer, PeerStatus
    from veza.federation.referrals import directory_publish

    count = 0
    if Peer.objects.filter(status=PeerStatus.ACTIVE, role="national").exists():
        count = directory_publish(actor="worker")
    if reschedule_minutes:
        task_reschedule(directory_task, timedelta(minutes=reschedule_minutes), reschedule_minutes)
    return count
