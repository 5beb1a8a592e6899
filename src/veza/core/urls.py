from django.urls import path

from veza.core import views

app_name = "core"

urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/verify/", views.login_second_factor, name="login-verify"),
    path("login/enrol/", views.login_enrol, name="login-enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language, name="set-language"),
    path("health/", views.health, name="health"),
    path("translations/", views.translation_status, name="translations"),
]
