from django.urls import path

from veza.indicators import views

app_name = "indicators"

urlpatterns = [
    path("indicators/", views.set_list, name="set-list"),
    path("indicators/import/", views.set_import_view, name="set-import"),
    path("indicators/sets/<int:pk>/", views.set_detail, name="set-detail"),
    path(
        "indicators/sets/<int:pk>/new-version/", views.set_new_version_view, name="set-new-version"
    ),
    path("indicators/rules/<int:pk>/", views.rule_detail, name="rule-detail"),
    path(
        "indicators/questionnaires/<int:pk>/",
        views.questionnaire_detail,
        name="questionnaire-detail",
    ),
]

# Publishing and adopting work the same way for every kind of content.
for _kind, _segment in (("set", "sets"), ("rule", "rules"), ("questionnaire", "questionnaires")):
    urlpatterns += [
        path(
            f"indicators/{_segment}/<int:pk>/publish/",
            views.content_publish_view,
            name=f"{_kind}-publish",
            kwargs={"kind": _kind},
        ),
        path(
            f"indicators/{_segment}/<int:pk>/adopt/",
            views.content_adopt_view,
            name=f"{_kind}-adopt",
            kwargs={"kind": _kind},
        ),
    ]
