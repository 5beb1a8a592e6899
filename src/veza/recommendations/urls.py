from django.urls import path

from veza.recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("recommendations/", views.recommendation_list, name="list"),
    path("recommendations/new/", views.recommendation_new, name="new"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="detail"),
    path("recommendations/import/", views.import_page, name="import"),
    path("recommendations/import/template/", views.import_template, name="import-template"),
    path("recommendations/sources/", views.source_list, name="sources"),
    path("recommendations/sources/<int:pk>/", views.source_detail, name="source"),
    path("recommendations/coverage/", views.coverage, name="coverage"),
    path("action-plans/", views.plan_list, name="plans"),
    path("action-plans/<int:pk>/", views.plan_detail, name="plan"),
    path("action-plans/<int:pk>/draft/", views.plan_draft, name="plan-draft"),
    path("action-plans/<int:pk>/measures/new/", views.measure_new, name="measure-new"),
    path("action-plans/measures/<int:pk>/", views.measure_detail, name="measure"),
]
