"""Admin for the mechanism configuration (机制配置). Registered in cases/wagtail_hooks.py."""

from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from cases.models import (
    Channel,
    DisputeCategory,
    DocumentNumbering,
    Mechanism,
    MechanismLeader,
    Tier,
    TierDeadline,
    Unit,
)


class MechanismAdmin(ModelAdmin):
    model = Mechanism
    menu_label = "处置机制"
    menu_icon = "site"
    list_display = ("name", "region", "case_prefix", "forum_name", "is_active", "updated_at")
    search_fields = ("name", "region")
    inspect_view_enabled = True


class MechanismLeaderAdmin(ModelAdmin):
    model = MechanismLeader
    menu_label = "机制负责人"
    menu_icon = "user"
    list_display = ("role", "name", "title", "mechanism")
    list_filter = ("mechanism",)


class UnitAdmin(ModelAdmin):
    model = Unit
    menu_label = "成员单位"
    menu_icon = "group"
    list_display = ("name", "short_name", "kind", "mechanism", "liaison_name", "liaison_phone",
                    "handles_cases", "is_active")
    list_filter = ("mechanism", "kind", "is_active")
    search_fields = ("name", "short_name", "liaison_name")
    inspect_view_enabled = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mechanism")


class DisputeCategoryAdmin(ModelAdmin):
    model = DisputeCategory
    menu_label = "争议类别"
    menu_icon = "tag"
    list_display = ("name", "code", "default_lead_unit", "mechanism", "is_active")
    list_filter = ("mechanism", "is_active")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mechanism", "default_lead_unit")


class ChannelAdmin(ModelAdmin):
    model = Channel
    menu_label = "受理渠道"
    menu_icon = "mail"
    list_display = ("name", "kind", "contact", "has_ticket_number", "is_public", "mechanism",
                    "is_active")
    list_filter = ("mechanism", "kind", "is_active")


class TierAdmin(ModelAdmin):
    model = Tier
    menu_label = "争议分级"
    menu_icon = "list-ol"
    list_display = ("name", "route", "may_escalate", "mechanism")
    list_filter = ("mechanism", "route")


class TierDeadlineAdmin(ModelAdmin):
    model = TierDeadline
    menu_label = "环节时限"
    menu_icon = "time"
    list_display = ("tier", "stage", "workdays", "starts_from", "warn_before", "note")
    list_filter = ("tier__mechanism", "stage")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tier", "tier__mechanism")


class DocumentNumberingAdmin(ModelAdmin):
    model = DocumentNumbering
    menu_label = "文号规则"
    menu_icon = "doc-full"
    list_display = ("kind", "pattern", "issuer", "mechanism")
    list_filter = ("mechanism", "kind")


class MechanismAdminGroup(ModelAdminGroup):
    menu_label = "机制配置"
    menu_icon = "cogs"
    menu_order = 800
    items = (MechanismAdmin, UnitAdmin, DisputeCategoryAdmin, ChannelAdmin, TierAdmin,
             TierDeadlineAdmin, DocumentNumberingAdmin, MechanismLeaderAdmin)
