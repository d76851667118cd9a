"""The admin home panel: open warnings of the mechanisms the user runs or leads."""

from wagtail.admin.ui.components import Component

from analytics.policy import may_view_analytics
from analytics.selectors import open_warnings_panel


class WarningsPanel(Component):
    name = "onestop_analytics_warnings"
    template_name = "analytics/panels/warnings.html"
    order = 55  # between a unit's workload and the office overview

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["panels"] = open_warnings_panel(parent_context["request"].user)
        return context


def homepage_panels(request, panels):
    if may_view_analytics(request.user):
        panels.append(WarningsPanel())
