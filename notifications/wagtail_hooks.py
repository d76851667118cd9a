"""Admin: message templates (editable) and the outbox (read-only, with a retry action)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from wagtail import hooks
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from cases.identity import mask_identity
from notifications.models import MessageTemplate, Outbox
from notifications.services import outbox_retry


class SuperuserOnly(PermissionHelper):
    """Texts and the queue concern every mechanism: only system administrators manage them."""

    def user_can_list(self, user):
        return user.is_active and user.is_superuser

    def user_can_create(self, user):
        return False  # one row per kind, made from the defaults

    def user_can_edit_obj(self, user, obj):
        return user.is_active and user.is_superuser

    def user_can_delete_obj(self, user, obj):
        return False


class ReadOnly(SuperuserOnly):
    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_inspect_obj(self, user, obj):
        return user.is_active and user.is_superuser


class MessageTemplateAdmin(ModelAdmin):
    model = MessageTemplate
    menu_label = "消息模板"
    menu_icon = "doc-full"
    permission_helper_class = SuperuserOnly
    list_display = ("event", "channel", "is_active", "updated_at")
    list_filter = ("channel", "is_active")
    form_fields_exclude = ("event", "channel")


class OutboxButtons(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        buttons = [self.inspect_button(obj.pk, classnames_add=classnames_add)]
        if obj.status == Outbox.Status.FAILED:
            buttons.append({
                "url": reverse("notifications_admin_retry", args=[obj.pk]), "label": "重新发送",
                "classname": "button button-small button-secondary", "title": "重新排队发送",
            })
        return buttons


class OutboxAdmin(ModelAdmin):
    model = Outbox
    menu_label = "消息发送队列"
    menu_icon = "mail"
    permission_helper_class = ReadOnly
    button_helper_class = OutboxButtons
    inspect_view_enabled = True
    inspect_view_fields = ("event", "channel", "masked_recipient", "subject", "body", "case",
                           "status", "attempts", "next_attempt_at", "last_error", "created_at",
                           "sent_at", "provider_message_id")
    list_display = ("event", "channel", "masked_recipient", "case", "status", "attempts",
                    "next_attempt_at", "sent_at")
    list_filter = ("status", "event", "channel")
    list_select_related = ("case",)

    def masked_recipient(self, obj):
        return mask_identity(obj.recipient) if "@" not in obj.recipient else obj.recipient
    masked_recipient.short_description = "接收人"


class NotificationsGroup(ModelAdminGroup):
    menu_label = "消息通知"
    menu_icon = "mail"
    menu_order = 620
    items = (MessageTemplateAdmin, OutboxAdmin)


modeladmin_register(NotificationsGroup)


def retry_view(request, pk: int):
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied
    row = get_object_or_404(Outbox, pk=pk)
    index = reverse("notifications_outbox_modeladmin_index")
    if request.method != "POST":
        return render(request, "onestop/admin_confirm.html", {"icon": "mail",
            "title": "重新发送消息", "question": f"将“{row}”重新排队发送？", "cancel_url": index})
    if outbox_retry(ids=[pk]):
        messages.success(request, "已重新排队，稍后发送。")
    else:
        messages.warning(request, "只有发送失败的消息可以重新发送。")
    return redirect(index)


@hooks.register("register_admin_urls")
def register_notification_urls():
    return [path("notifications/outbox/<int:pk>/retry/", retry_view, name="notifications_admin_retry")]
