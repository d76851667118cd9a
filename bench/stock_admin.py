"""The baseline: a stock wagtail-modeladmin ModelAdmin for Case, mounted only inside the bench
process (ROOT_URLCONF = bench.stock_admin) beside the real admin, on the same data.

It shows the same columns as the ledger and searches the same fields the stock way (icontains);
its own base URL path keeps the real ledger's URLs and names untouched.
"""

from __future__ import annotations

from django.urls import include, path
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from cases.models import Case
from config.urls import urlpatterns as project_urlpatterns


class StockPermissionHelper(PermissionHelper):
    """Any staff member may list and inspect: the baseline measures the list, not the policy."""

    def user_can_list(self, user):
        return user.is_active and user.is_staff

    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)


class StockCaseAdmin(ModelAdmin):
    model = Case
    base_url_path = "bench-stock/case"  # own URLs and URL names beside the real ledger's
    permission_helper_class = StockPermissionHelper
    list_per_page = 20
    inspect_view_enabled = True
    list_display = ("number", "accepted_at", "complainant_name", "category", "tier", "lead_unit",
                    "status", "due_date")
    list_filter = ("status", "tier", "category", "channel", "lead_unit", "accepting_unit",
                   "mechanism")
    # The ID number is encrypted (no LIKE possible), so stock searches the plain columns only.
    search_fields = ("number", "complainant_name", "employer_name", "employer_credit_code")


stock = StockCaseAdmin()
urlpatterns = [path("admin/", include(list(stock.get_admin_urls_for_registration()))),
               *project_urlpatterns]


def stock_url(action: str, *args) -> str:
    return stock.url_helper.get_action_url(action, *args)
