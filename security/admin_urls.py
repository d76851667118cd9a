from django.urls import path

from security.views import audit, otp, reveal

app_name = "security_admin"
urlpatterns = [
    path("audit/", audit.audit_index, name="audit_index"),
    path("otp/", otp.otp_enrol, name="otp_enrol"),
    path("otp/verify/", otp.otp_verify, name="otp_verify"),
    path("case/<int:pk>/reveal/", reveal.case_reveal, name="case_reveal"),
]
