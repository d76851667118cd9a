"""Registration only: the admin classes live in cases/modeladmin/ and cases/admin_views/."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import modeladmin_register

from cases.admin_views.dashboard import homepage_panels
from cases.modeladmin.calendar import YearCalendarAdmin
from cases.modeladmin.ledger import CaseAdmin
from cases.modeladmin.mechanism import MechanismAdminGroup
from cases.policy import membership

case_admin = CaseAdmin()
case_admin.register_with_wagtail()
modeladmin_register(MechanismAdminGroup)
modeladmin_register(YearCalendarAdmin)


@hooks.register("register_admin_urls")
def register_case_urls():
    return [path("onestop/", include("cases.admin_urls", namespace="cases_admin"))]


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return membership(request.user).is_staff_of_anything


@hooks.register("register_admin_menu_item")
def register_intake_menu_item():
    return StaffOnlyMenuItem("登记争议", reverse("cases_admin:intake"), icon_name="plus", order=90)


class OfficeMenuItem(MenuItem):
    def is_shown(self, request):
        m = membership(request.user)
        return m.is_superuser or bool(m.office_mechanism_ids)


@hooks.register("register_admin_menu_item")
def register_meeting_menu_item():
    return OfficeMenuItem("安排会商", reverse("cases_admin:meeting_schedule"), icon_name="date", order=110)


hooks.register("construct_homepage_panels", homepage_panels)
