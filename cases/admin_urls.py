from django.urls import path

from cases.admin_views import case_page, intake, meetings

app_name = "cases_admin"
urlpatterns = [
    path("intake/", intake.staff_intake, name="intake"),
    path("case/<int:pk>/do/<slug:name>/", case_page.case_transition, name="transition"),
    path("meetings/new/", meetings.meeting_schedule_view, name="meeting_schedule"),
    path("meetings/<int:pk>/", meetings.meeting_record_view, name="meeting_record"),
]
