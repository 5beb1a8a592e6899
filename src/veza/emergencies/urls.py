from django.urls import path

from veza.emergencies import views

app_name = "emergencies"

urlpatterns = [
    path("emergencies/", views.area_list, name="list"),
    path("emergencies/<int:pk>/", views.area_detail, name="detail"),
    path("emergencies/<int:pk>/counts.json", views.area_counts_json, name="counts"),
    path("emergencies/<int:pk>/end/", views.area_end_view, name="end"),
]
