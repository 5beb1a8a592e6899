"""The federation page for the instance's administrator: this instance's identity and card,
the peers (import a card, check its fingerprint, suspend), the directory, the packets."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from veza.core.errors import NotFoundError, ValidationError
from veza.core.scoping import require_perm
from veza.core.uploads import UploadField
from veza.core.web import add_errors
from veza.federation.models import Packet, Peer, RejectedPacket
from veza.federation.services import identity, my_card, peer_confirm, peer_import, peer_set_status

__all__ = ["peers"]

PERM = "federation.manage_peers"


class CardForm(forms.Form):
    card = UploadField(
        kinds=("card",),
        max_mb=1,
        label=gettext_lazy("Peer card"),
        help_text=gettext_lazy(
            "The card file the other instance's administrator sent you. Nothing is trusted "
            "until you have compared its fingerprint with them by phone."
        ),
    )


class ConfirmForm(forms.Form):
    fingerprint = forms.CharField(
        label=gettext_lazy("Fingerprint read by the other administrator"),
        max_length=60,
        help_text=gettext_lazy("Eight groups of four letters and digits."),
    )


@require_http_methods(["GET", "POST"])
def peers(request):
    require_perm(request.user, PERM)
    if request.GET.get("card") == "download":
        response = HttpResponse(my_card(), content_type="application/json")
        response["Content-Disposition"] = 'attachment; filename="veza-peer-card.json"'
        return response
    action = request.POST.get("action")
    posted = request.POST if request.method == "POST" else None
    card_form = CardForm(
        posted if action == "import" else None, request.FILES or None, prefix="card"
    )
    confirm_form = ConfirmForm(posted if action == "confirm" else None, prefix="confirm")
    if request.method == "POST":
        try:
            if action == "import" and card_form.is_valid():
                peer, key = peer_import(
                    actor=request.user, raw=card_form.cleaned_data["card"].read(8192)
                )
                messages.success(
                    request,
                    _("Card of %(name)s read. Fingerprint: %(fingerprint)s. Check it by phone.")
                    % {"name": peer.name, "fingerprint": key.fingerprint},
                )
                return redirect("federation:peers")
            if action == "publish":
                from veza.federation.referrals import directory_publish

                count = directory_publish(actor=request.user)
                messages.success(
                    request,
                    _("The service directory is on its way to %(count)s instance(s).")
                    % {"count": count},
                )
                return redirect("federation:peers")
            if action in ("confirm", "suspend", "activate"):
                peer = Peer.objects.filter(pk=request.POST.get("peer")).first()
                if peer is None:
                    raise NotFoundError()
                if action == "confirm" and confirm_form.is_valid():
                    peer_confirm(
                        actor=request.user,
                        peer=peer,
                        fingerprint=confirm_form.cleaned_data["fingerprint"],
                    )
                    messages.success(request, _("%(name)s is trusted.") % {"name": peer.name})
                    return redirect("federation:peers")
                if action in ("suspend", "activate"):
                    status = "suspended" if action == "suspend" else "active"
                    peer_set_status(actor=request.user, peer=peer, status=status)
                    return redirect("federation:peers")
        except ValidationError as exc:
            add_errors(confirm_form if action == "confirm" else card_form, exc)
    try:
        own = identity().fingerprint
    except ImproperlyConfigured:
        own = ""
    return render(
        request,
        "federation/peers.html",
        {
            "fingerprint": own,
            "peers": [
                {
                    "peer": p,
                    "key": p.key,
                    "waiting": p.keys.filter(
                        confirmed_at__isnull=True, retired_at__isnull=True
                    ).first(),
                }
                for p in Peer.objects.prefetch_related("keys")
            ],
            "card_form": card_form,
            "confirm_form": confirm_form,
            "packets": Packet.objects.select_related("peer")[:50],
            "rejected": RejectedPacket.objects.all()[:50],
        },
        status=400 if request.method == "POST" else 200,
    )
