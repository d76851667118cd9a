"""Registration only: admin URLs, menu items and the permissions shown in group editing."""

from django.contrib.auth.models import Permission
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from security.selectors import audit_may_view


@hooks.register("register_admin_urls")
def register_security_urls():
    return [path("security/", include("security.admin_urls", namespace="security_admin"))]


class AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return audit_may_view(request.user)


@hooks.register("register_reports_menu_item")
def register_audit_menu_item():
    return AuditMenuItem("审计日志", reverse("security_admin:audit_index"), name="audit-log",
                         icon_name="history", order=50)


@hooks.register("register_account_menu_item")
def register_otp_account_item(request):
    return {"url": reverse("security_admin:otp_enrol"), "label": "双因素认证",
            "help_text": "用手机身份验证器为登录增加一道验证码。"}


@hooks.register("register_permissions")
def register_security_permissions():
    # Shown in Wagtail's group editor, so the office can grant them to a role.
    return Permission.objects.filter(content_type__app_label="security",
                                     codename__in=["reveal_personal_data", "view_auditevent"])
