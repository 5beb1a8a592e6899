from django.urls import path

from veza.referrals import views

app_name = "referrals"

urlpatterns = [
    path("worklist/", views.worklist_view, name="worklist"),
    path("worklist/read/", views.notices_read_view, name="notices-read"),
    path("services/", views.directory, name="directory"),
    path("services/new/", views.service_edit, name="service-new"),
    path("services/<int:pk>/", views.service_edit, name="service-edit"),
    path("cases/<int:case_pk>/refer/", views.referral_new, name="new"),
    path("cases/<int:case_pk>/progress/", views.progress_update, name="progress"),
    path("cases/<int:case_pk>/export.json", views.case_export_json, name="case-json"),
    path("cases/<int:case_pk>/summary.pdf", views.case_export_pdf, name="case-pdf"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/<slug:step>/", views.referral_act, name="act"),
]
