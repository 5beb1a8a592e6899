from django.urls import path

from veza.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/subject-access/", views.subject_access, name="subject_access"),
]
