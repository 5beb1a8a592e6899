from django.urls import path

from veza.fieldforms import views

app_name = "fieldforms"

urlpatterns = [
    path("forms/", views.forms_page, name="index"),
    path("forms/export/", views.form_download, name="export"),
    path("forms/imports/<int:pk>/", views.import_detail, name="import"),
]
