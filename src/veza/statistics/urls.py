from django.urls import path

from veza.statistics import release_views, views

app_name = "statistics"

urlpatterns = [
    path("hub/trends/", views.trends, name="trends"),
    path("hub/report/", views.report, name="report"),
    path("statistics/releases/", release_views.releases, name="releases"),
    path("statistics/releases/<int:pk>/", release_views.release_detail, name="release"),
]
