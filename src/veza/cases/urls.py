from django.urls import path

from veza.cases import emergency_views, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/break-glass/", emergency_views.break_glass, name="break-glass"),
    path("cases/break-glass/log/", emergency_views.break_glass_log, name="break-glass-log"),
    path(
        "cases/break-glass/<int:pk>/end/",
        emergency_views.break_glass_end,
        name="break-glass-end",
    ),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="edit"),
    path("cases/<int:pk>/identity/", views.identity_view, name="identity"),
    path("cases/<int:pk>/identity/edit/", views.identity_edit, name="identity-edit"),
    path("cases/<int:pk>/consents/new/", views.consent_new, name="consent-new"),
    path("cases/consents/<int:pk>/withdraw/", views.consent_withdraw_view, name="consent-withdraw"),
    path("cases/<int:pk>/decision/", views.decision_new, name="decision"),
    path("cases/<int:pk>/close/", views.case_close_view, name="close"),
]
