"""Registration only: views in analytics/views.py, the panel in analytics/panels.py, the rule
admin in analytics/modeladmin.py."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail_modeladmin.options import modeladmin_register

from analytics.modeladmin import WarningRuleAdmin
from analytics.panels import homepage_panels
from analytics.policy import may_view_analytics

modeladmin_register(WarningRuleAdmin)


@hooks.register("register_admin_urls")
def register_analytics_urls():
    return [path("analytics/", include("analytics.admin_urls", namespace="analytics_admin"))]


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_analytics(request.user)


@hooks.register("register_admin_menu_item")
def register_analytics_menu():
    menu = Menu(items=[
        AnalyticsMenuItem("统计与督办", reverse("analytics_admin:statistics"), icon_name="table",
                          order=10),
        AnalyticsMenuItem("风险预警", reverse("analytics_admin:warnings"), icon_name="warning",
                          order=20),
        AnalyticsMenuItem("典型案例", reverse("analytics_admin:typical_list"), icon_name="pick",
                          order=30),
    ])
    return SubmenuMenuItem("统计分析", menu, icon_name="table", order=120)


hooks.register("construct_homepage_panels", homepage_panels)
