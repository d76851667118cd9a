"""Registration only: the admin classes live in docgen/modeladmin.py, docgen/views.py and
docgen/admin_pages.py."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import modeladmin_register

from cases.policy import membership
from docgen.modeladmin import DocumentAdminGroup

modeladmin_register(DocumentAdminGroup)


@hooks.register("register_admin_urls")
def register_docgen_urls():
    return [path("docgen/", include("docgen.urls", namespace="docgen"))]


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return membership(request.user).is_staff_of_anything


@hooks.register("register_admin_menu_item")
def register_variables_menu_item():
    return StaffOnlyMenuItem("公文变量说明", reverse("docgen:variables"), icon_name="help", order=135)
