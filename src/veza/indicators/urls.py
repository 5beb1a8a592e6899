from django.urls import path

from veza.indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicators/", views.set_list, name="set-list"),
    path("indicators/import/", views.set_import_view, name="set-import"),
    path("indicators/sets/<int:pk>/", views.set_detail, name="set-detail"),
    path(
        "indicators/sets/<int:pk>/publish/",
        views.content_publish_view,
        name="set-publish",
        kwargs={"kind": "set"},
    ),
    path(
        "indicators/sets/<int:pk>/adopt/",
        views.content_adopt_view,
        name="set-adopt",
        kwargs={"kind": "set"},
    ),
    path(
        "indicators/sets/<int:pk>/new-version/", views.set_new_version_view, name="set-new-version"
    ),
    path(
        "indicators/questionnaires/<int:pk>/",
        views.questionnaire_detail,
        name="questionnaire-detail",
    ),
]
