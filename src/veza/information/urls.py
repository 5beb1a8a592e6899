from django.urls import path

from veza.information import views

app_name = "information"

urlpatterns = [
    path("information/", views.index, name="index"),
    path("information/<slug:language>/", views.sheet, name="sheet"),
    path("information/<slug:language>/pdf/", views.sheet_pdf, name="sheet-pdf"),
]
