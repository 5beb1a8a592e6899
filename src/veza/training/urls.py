from django.urls import path

from veza.training import views

__all__ = ["app_name", "urlpatterns"]

app_name = "training"

urlpatterns = [
    path("training/", views.my_training, name="mine"),
    path("training/practice/", views.practice_index, name="practice"),
    path("training/practice/<slug:case_id>/", views.practice_case, name="practice-case"),
    path("training/attempts/<int:pk>/", views.attempt_detail, name="attempt"),
    path("training/certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate-pdf"),
    path("training/courses/", views.course_list, name="courses"),
    path("training/courses/new/", views.course_new, name="course-new"),
    path("training/courses/<int:pk>/", views.course_detail, name="course"),
    path("training/courses/<int:pk>/edit/", views.course_edit, name="course-edit"),
    path("training/courses/<int:pk>/enrol/", views.course_enrol, name="course-enrol"),
    path("training/coverage/", views.coverage, name="coverage"),
    path("training/certificates/verify/", views.certificate_verify, name="certificate-verify"),
    path(
        "training/coverage/organisations/<int:pk>/",
        views.coverage_organisation,
        name="coverage-organisation",
    ),
]
