from django.urls import path

from veza.prevention import views

__all__ = ["app_name", "urlpatterns"]

app_name = "prevention"

urlpatterns = [
    path("self-check/", views.index, name="index"),
    path("self-check/<slug:language>/", views.check, name="check"),
    path("self-check/<slug:language>/rights/", views.rights, name="rights"),
    path("self-check/<slug:language>/leaflet.pdf", views.leaflet, name="leaflet"),
    path("prevention/self-check-uses/", views.uses, name="uses"),
]
