"""The inbox other instances post packets to. A packet authenticates itself (signature of a
trusted peer, encrypted to this instance), so the endpoint needs no session and no CSRF token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from veza.core.context import client_ip
from veza.federation.envelope import MAX_PACKET, PacketError
from veza.federation.services import packet_receive

__all__ = ["inbox"]


@csrf_exempt
@login_not_required
@require_POST
def inbox(request):
    if request.content_type == "multipart/form-data":
        # A packet is the request's body; a form's parts were read already (where a full disk
        # is caught, core.middleware) and are no packet.
        return JsonResponse({"status": "rejected", "reason": "malformed"}, status=400)
    raw = request.body[: MAX_PACKET + 1]
    try:
        result = packet_receive(raw, transport="https", address=client_ip(request))
    except ImproperlyConfigured:  # no federation identity: this instance takes no packet
        return JsonResponse({"status": "unavailable"}, status=503)
    except PacketError as error:
        return JsonResponse({"status": "rejected", "reason": error.reason}, status=400)
    return JsonResponse(result, status=200 if result["status"] == "duplicate" else 202)
