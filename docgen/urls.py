"""Mounted under the Wagtail admin (``/admin/docgen/``) by ``docgen/wagtail_hooks.py``.

For the case page: ``{% url 'docgen:draft' %}`` (POST kind, case_id or meeting_id, party, next)
and ``{% url 'docgen:download' version.pk %}``.
"""

from django.urls import path

from docgen import admin_pages, views

app_name = "docgen"
urlpatterns = [
    path("draft/", views.draft, name="draft"),
    path("document/<int:pk>/edit/", views.document_edit_view, name="edit"),
    path("document/<int:pk>/do/<slug:action>/", views.document_action, name="action"),
    path("version/<int:pk>/download/", views.version_download, name="download"),
    path("version/<int:pk>/preview/", views.version_preview, name="preview"),
    path("variables/", admin_pages.variables_reference, name="variables"),
    path("register/", admin_pages.register_view, name="register"),
    path("templates/upload/", admin_pages.template_upload, name="template_upload"),
    path("templates/<int:pk>/deactivate/", admin_pages.template_deactivate, name="template_deactivate"),
    path("office/", admin_pages.office_draft, name="office_draft"),
]
