from django.urls import path

from veza.statistics import exchange_views, release_views, views

app_name = "statistics"

urlpatterns = [
    path("hub/trends/", views.trends, name="trends"),
    path("hub/report/", views.report, name="report"),
    path("statistics/releases/", release_views.releases, name="releases"),
    path("statistics/releases/<int:pk>/", release_views.release_detail, name="release"),
    path(
        "statistics/releases/<int:pk>/archive/",
        exchange_views.release_download,
        name="release_download",
    ),
    path("statistics/dataflows/upload/", exchange_views.dataflow_upload, name="dataflow_upload"),
    path("hub/dataflows/", exchange_views.dataflows, name="dataflows"),
    path("hub/dataflows/<str:code>/", exchange_views.dataflow_detail, name="dataflow"),
    path("hub/received/", exchange_views.received, name="received"),
]
