from django.urls import path

from veza.interpreters import views

app_name = "interpreters"

urlpatterns = [
    path("interpreters/", views.request_list, name="requests"),
    path("interpreters/new/", views.request_new, name="request-new"),
    path("interpreters/requests/<int:pk>/", views.request_detail, name="request"),
    path("interpreters/mine/", views.my_bookings, name="mine"),
    path("interpreters/support/", views.support, name="support"),
    path("interpreters/pool/", views.pool, name="pool"),
    path("interpreters/pool/new/", views.interpreter_edit, name="interpreter-new"),
    path("interpreters/pool/<int:pk>/", views.interpreter_edit, name="interpreter-edit"),
]
