"""Warning rules in the admin: the office edits its mechanism's thresholds; the set of rules
comes from the mechanism file (load_mechanism), so nobody creates or deletes them here."""

from django.utils.html import format_html_join
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin

from analytics.models import WarningRule
from analytics.policy import may_manage
from cases.policy import membership


class WarningRulePermissionHelper(PermissionHelper):
    def user_can_list(self, user):
        m = membership(user)
        return bool(m.is_superuser or m.office_mechanism_ids)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return may_manage(user, obj.mechanism_id)

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_inspect_obj(self, user, obj):
        return False


class WarningRuleAdmin(ModelAdmin):
    model = WarningRule
    menu_label = "预警规则"
    menu_icon = "warning"
    menu_order = 300
    add_to_settings_menu = True
    permission_helper_class = WarningRulePermissionHelper
    list_display = ("name", "kind", "params_display", "notify_police", "is_active", "mechanism")
    list_filter = ("mechanism", "kind", "is_active")
    form_fields_exclude = ("mechanism", "code", "kind")

    def get_queryset(self, request):
        m = membership(request.user)
        queryset = super().get_queryset(request).select_related("mechanism")
        return queryset if m.is_superuser else queryset.filter(mechanism_id__in=m.office_mechanism_ids)

    def params_display(self, obj):
        return format_html_join("；", "{}={}", sorted((obj.params or {}).items()))

    params_display.short_description = "参数"
