"""Non-page URLs of the portal (pages are routed by Wagtail)."""

from django.urls import path

from forms import views

app_name = "intake"
urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    # no id: the letter of the case proven on the tracking page in this session
    path("letter/", views.feedback_letter_download, name="feedback_letter"),
]
