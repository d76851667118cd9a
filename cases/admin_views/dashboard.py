"""Panels on the admin home: a unit's workload, and the office's view of every unit."""

from wagtail.admin.ui.components import Component

from cases.policy import membership
from cases.selectors import office_dashboard, unit_dashboard


class UnitWorkloadPanel(Component):
    name = "onestop_unit_workload"
    template_name = "cases/admin/panels/unit_workload.html"
    order = 50

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["panels"] = unit_dashboard(parent_context["request"].user)
        return context


class OfficeOverviewPanel(Component):
    name = "onestop_office_overview"
    template_name = "cases/admin/panels/office_overview.html"
    order = 60

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["panels"] = office_dashboard(parent_context["request"].user)
        return context


def homepage_panels(request, panels):
    m = membership(request.user)
    if m.unit_ids:
        panels.append(UnitWorkloadPanel())
    if m.is_superuser or m.office_mechanism_ids or m.leader_mechanism_ids:
        panels.append(OfficeOverviewPanel())
