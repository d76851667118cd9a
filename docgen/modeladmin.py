"""The documents list and inspect page, and the office's custom templates, in the Wagtail admin.

Rows are limited by docgen.policy; Django model permissions play no part except the
``sign_document`` permission. Every change goes through docgen.views → docgen.services.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import CreateView, InspectView

from cases.policy import membership
from docgen.models import CustomTemplate, Document, DocumentStatus
from docgen.policy import (
    can_view_document,
    document_refusal,
    is_office,
    sign_refusal,
    visible_documents,
)
from docgen.preview import preview_available
from docgen.services import EDITABLE_STATUSES


class DocumentPermissionHelper(PermissionHelper):
    def user_can_list(self, user):
        return membership(user).is_staff_of_anything

    def user_can_create(self, user):
        return False  # drafts start from a case, a meeting or the office page

    def user_can_inspect_obj(self, user, obj):
        return can_view_document(user, obj)

    def user_can_edit_obj(self, user, obj):
        return False  # edits go through the draft form, which makes a new version

    def user_can_delete_obj(self, user, obj):
        return False  # the register keeps everything


class DocumentButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        button = self.inspect_button(obj.pk, classnames_add=classnames_add)
        button["label"] = "查看"
        return [button]


def document_actions(user, document: Document) -> list[dict]:
    """The buttons this user may press now; the services check again."""
    may_work = document_refusal(user, document) is None
    actions = []
    if document.status == DocumentStatus.DRAFTED and may_work:
        actions.append({"action": "check", "label": "核稿"})
    if document.status == DocumentStatus.CHECKED and sign_refusal(user, document) is None:
        actions.append({"action": "sign", "label": "签发"})
    if document.status == DocumentStatus.SIGNED and is_office(user, document.mechanism):
        actions.append({"action": "issue", "label": "印发"})
    if may_work:
        actions.append({"action": "regenerate", "label": "重新生成"})
    return actions


class DocumentInspectView(InspectView):
    """Versions with download links and the workflow buttons; 404 for those who may not see it."""

    def dispatch(self, request, *args, **kwargs):
        if not can_view_document(request.user, self.instance):
            raise Http404("没有找到该公文。")
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return ["docgen/admin/document_inspect.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.instance
        user = self.request.user
        context.update({
            "document": document,
            "versions": document.versions.select_related("created_by").order_by("-version"),
            "actions": document_actions(user, document),
            "can_edit": document.status in EDITABLE_STATUSES and document_refusal(user, document) is None,
            "preview_available": preview_available(),
            "history": document.history.select_related("history_user").order_by("-history_date")[:50],
        })
        return context


class DocumentAdmin(ModelAdmin):
    model = Document
    menu_label = "公文"
    menu_icon = "doc-full"
    list_display = ("title", "kind", "number", "status", "created_at")
    list_filter = ("kind", "status", "mechanism")
    search_fields = ("number", "title")
    list_per_page = 50
    inspect_view_enabled = True
    inspect_view_class = DocumentInspectView
    permission_helper_class = DocumentPermissionHelper
    button_helper_class = DocumentButtonHelper

    def get_queryset(self, request):
        return visible_documents(request.user, super().get_queryset(request)).select_related("mechanism")


class TemplatePermissionHelper(PermissionHelper):
    def user_can_list(self, user):
        m = membership(user)
        return m.is_superuser or bool(m.office_mechanism_ids)

    user_can_create = user_can_list

    def user_can_inspect_obj(self, user, obj):
        return is_office(user, obj.mechanism)

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class TemplateUploadRedirect(CreateView):
    """"Add" opens the upload page, where the template is checked before it is stored."""

    def dispatch(self, request, *args, **kwargs):
        return redirect(reverse("docgen:template_upload"))


class CustomTemplateAdmin(ModelAdmin):
    model = CustomTemplate
    menu_label = "自定义模板"
    menu_icon = "doc-empty"
    list_display = ("original_name", "kind", "mechanism", "is_active", "uploaded_at", "uploaded_by")
    list_filter = ("kind", "is_active")
    inspect_view_enabled = True
    permission_helper_class = TemplatePermissionHelper
    create_view_class = TemplateUploadRedirect
    inspect_view_fields = ("mechanism", "kind", "original_name", "sha256", "variables", "is_active",
                           "uploaded_by", "uploaded_at")

    def get_queryset(self, request):
        m = membership(request.user)
        queryset = super().get_queryset(request).select_related("mechanism", "uploaded_by")
        return queryset if m.is_superuser else queryset.filter(mechanism_id__in=m.office_mechanism_ids)


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return membership(request.user).is_staff_of_anything


class OfficeMenuItem(MenuItem):
    def is_shown(self, request):
        m = membership(request.user)
        return m.is_superuser or bool(m.office_mechanism_ids)


class DocumentAdminGroup(ModelAdminGroup):
    menu_label = "公文"
    menu_icon = "doc-full-inverse"
    menu_order = 130
    items = (DocumentAdmin, CustomTemplateAdmin)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        items += [
            StaffMenuItem("发文登记簿", reverse_lazy("docgen:register"), icon_name="list-ul", order=10),
            OfficeMenuItem("拟制纪要/通报", reverse_lazy("docgen:office_draft"), icon_name="edit", order=11),
            StaffMenuItem("公文变量说明", reverse_lazy("docgen:variables"), icon_name="help", order=12),
        ]
        return items
