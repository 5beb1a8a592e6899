from django.urls import path

from veza.statistics import views

app_name = "statistics"

urlpatterns = [
    path("hub/trends/", views.trends, name="trends"),
    path("hub/report/", views.report, name="report"),
]
