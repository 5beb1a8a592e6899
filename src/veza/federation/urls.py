from django.urls import path

from veza.federation import pages, views

app_name = "federation"

urlpatterns = [
    path("federation/inbox/", views.inbox, name="inbox"),
    path("federation/", pages.peers, name="peers"),
]
