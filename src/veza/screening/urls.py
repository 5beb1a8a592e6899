from django.urls import path

from veza.screening import views

app_name = "screening"

urlpatterns = [
    path("screenings/", views.screening_list, name="list"),
    path("screenings/new/", views.screening_new, name="new"),
    path("screenings/<int:pk>/", views.screening_detail, name="detail"),
    path("screenings/<int:pk>/step/<int:index>/", views.screening_section, name="section"),
    path("screenings/<int:pk>/review/", views.screening_review, name="review"),
    path("screenings/<int:pk>/complete/", views.screening_complete_view, name="complete"),
    path("screenings/<int:pk>/follow-up/", views.screening_follow_up_view, name="follow-up"),
    path("screenings/<int:pk>/discard/", views.screening_discard_view, name="discard"),
]
