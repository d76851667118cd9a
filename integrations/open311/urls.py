"""/open311/v2/… — every resource in .json and .xml, as the spec's format suffix."""

from django.urls import re_path

from integrations.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, views.service_definition, name="service_definition"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<number>[-\w]+)" + FMT, views.request_detail, name="request"),
]
