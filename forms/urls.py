"""Non-page URLs of the portal (pages are routed by Wagtail)."""

from django.urls import path

from forms import views

app_name = "intake"
urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
