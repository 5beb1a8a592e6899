from django.urls import path

from veza.feedback import views

__all__ = ["app_name", "urlpatterns"]

app_name = "feedback"

urlpatterns = [
    path("feedback/offer/", views.offer, name="offer"),
    path("feedback/offer/card/", views.card, name="card"),
    path("feedback/summary/", views.summary, name="summary"),
    path("feedback/thanks/", views.thanks, name="thanks"),
    # Public: the form a person opens from the card (the token is the only key).
    path("feedback/<str:token>/", views.form, name="form"),
]
