from django.urls import path, re_path

from analytics import views

app_name = "analytics_admin"
urlpatterns = [
    path("", views.statistics_view, name="statistics"),
    re_path(r"^download/(?P<fmt>xlsx|docx)/$", views.statistics_download, name="download"),
    path("warnings/", views.warnings_view, name="warnings"),
    path("warnings/<int:pk>/", views.warning_view, name="warning"),
    path("typical/", views.typical_list_view, name="typical_list"),
    path("typical/download/", views.typical_download, name="typical_download"),
    path("typical/mark/<int:case_pk>/", views.typical_mark_view, name="typical_mark"),
]
