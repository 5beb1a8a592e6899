"""Veza's URL map plus `/bench/bare/`: a plain HttpResponse, the floor a Django view costs when
served the same way (same gunicorn, same middleware; anonymous, as the
login page is)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from veza.urls import *  # noqa: F403
from veza.urls import urlpatterns as veza_urlpatterns


@login_not_required
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *veza_urlpatterns]
