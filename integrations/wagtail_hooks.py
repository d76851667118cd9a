"""Admin for API keys: list and revoke. Keys are made by `create_api_key`; no key material is
ever stored or shown here, only the prefix."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from wagtail import hooks
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from cases.policy import membership
from integrations.keys import api_key_revoke
from integrations.models import ApiKey


def _manageable(user):
    """Superusers manage every key; a mechanism's office manages its own mechanism's keys."""
    m = membership(user)
    if m.is_superuser:
        return ApiKey.objects.all()
    return ApiKey.objects.filter(mechanism_id__in=m.office_mechanism_ids)


class ApiKeyPermissions(PermissionHelper):
    def user_can_list(self, user):
        m = membership(user)
        return m.is_superuser or bool(m.office_mechanism_ids)

    def user_can_create(self, user):
        return False  # the key must be shown once, at the command line

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False  # revoked keys stay as a record of who had access

    def user_can_inspect_obj(self, user, obj):
        return _manageable(user).filter(pk=obj.pk).exists()


class ApiKeyButtons(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = [self.inspect_button(obj.pk, classnames_add=classnames_add)]
        if obj.is_active:
            buttons.append({
                "url": reverse("integrations_api_key_revoke", args=[obj.pk]), "label": "吊销",
                "classname": "button button-small no", "title": "吊销此密钥，立即停止访问",
            })
        return buttons


class ApiKeyAdmin(ModelAdmin):
    model = ApiKey
    menu_label = "接口密钥"
    menu_icon = "key"
    menu_order = 630
    add_to_settings_menu = True
    permission_helper_class = ApiKeyPermissions
    button_helper_class = ApiKeyButtons
    inspect_view_enabled = True
    inspect_view_fields = ("name", "mechanism", "channel", "prefix", "rate_per_minute",
                           "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by")
    list_display = ("name", "mechanism", "channel", "prefix", "state", "last_used_at", "created_at")
    list_filter = ("mechanism",)
    list_select_related = ("mechanism", "channel")
    search_fields = ("name", "prefix")

    def get_queryset(self, request):
        return _manageable(request.user).select_related("mechanism", "channel")

    def state(self, obj):
        return "有效" if obj.is_active else f"已吊销（{obj.revoked_at:%Y-%m-%d %H:%M}）"
    state.short_description = "状态"


modeladmin_register(ApiKeyAdmin)


def revoke_view(request, pk: int):
    key = get_object_or_404(_manageable(request.user), pk=pk)
    if not ApiKeyPermissions(ApiKey).user_can_list(request.user):
        raise PermissionDenied
    index = reverse("integrations_apikey_modeladmin_index")
    if request.method != "POST":
        return render(request, "onestop/admin_confirm.html", {"icon": "key",
            "title": "吊销接口密钥", "cancel_url": index,
            "question": f"吊销“{key}”后，使用该密钥的系统将立即无法访问，且不能恢复。确定吊销？"})
    api_key_revoke(key=key, by=request.user)
    messages.success(request, f"已吊销“{key.name}”。")
    return redirect(index)


@hooks.register("register_admin_urls")
def register_api_key_urls():
    return [path("integrations/api-keys/<int:pk>/revoke/", revoke_view,
                 name="integrations_api_key_revoke")]
