from django.urls import path

from veza.knowledge import public_views, views

app_name = "knowledge"

urlpatterns = [
    # Staff pages (login, a role with knowledge.view_document).
    path("guidance/", views.document_list, name="list"),
    path("guidance/new/", views.document_create, name="new"),
    path("guidance/<int:pk>/", views.document_detail, name="detail"),
    path("guidance/<int:pk>/edit/", views.document_edit, name="edit"),
    path("guidance/<int:pk>/text/", views.text_edit, name="text"),
    path("guidance/<int:pk>/publish/", views.document_publish, name="publish"),
    path("guidance/<int:pk>/new-version/", views.document_version_new, name="new-version"),
    path("guidance/<int:pk>/withdraw/", views.document_withdraw, name="withdraw"),
    path("guidance/<int:pk>/<slug:language>/pdf/", views.document_pdf, name="pdf"),
    # The public library (no login): published documents for everyone only.
    path("library/", public_views.public_list, name="public-list"),
    path("library/<slug:slug>/", public_views.public_detail, name="public-detail"),
    path(
        "library/<slug:slug>/<slug:language>/",
        public_views.public_detail,
        name="public-detail-language",
    ),
    path("library/<slug:slug>/<slug:language>/pdf/", public_views.public_pdf, name="public-pdf"),
]
