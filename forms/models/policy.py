"""Policy pages: the mechanism, its dispute categories, channels and time limits, rendered from
the mechanism's configuration (never copied into the page), plus text the office edits."""

from django.db import models
from django.db.models import Prefetch
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class PolicyIndexPage(Page):
    route_cacheable = True  # home.routing: served from the per-process route cache
    intro = RichTextField("说明", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["intake.MechanismPage"]
    template = "intake/policy_index_page.html"

    class Meta:
        verbose_name = "机制介绍目录"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guides"] = list(MechanismPage.objects.child_of(self).live().public()
                                 .select_related("mechanism").order_by("path"))
        return context


class MechanismPage(Page):
    route_cacheable = True  # home.routing: served from the per-process route cache
    mechanism = models.ForeignKey("cases.Mechanism", on_delete=models.PROTECT, related_name="+",
                                  verbose_name="争议处置机制")
    intro = RichTextField("导语", blank=True, help_text="显示在机制介绍之前。")
    outro = RichTextField("其他说明", blank=True, help_text="显示在页面末尾，如办公地址、办公时间。")

    content_panels = Page.content_panels + [
        FieldPanel("mechanism"), FieldPanel("intro"), FieldPanel("outro"),
    ]
    parent_page_types = ["intake.PolicyIndexPage"]
    subpage_types: list[str] = []
    template = "intake/mechanism_page.html"

    class Meta:
        verbose_name = "机制介绍"

    def get_context(self, request, *args, **kwargs):
        from cases.models import Channel, DisputeCategory, Mechanism, Tier, Unit
        from forms.models.intake import IntakeFormPage

        context = super().get_context(request, *args, **kwargs)
        mechanism = (
            Mechanism.objects.filter(pk=self.mechanism_id)
            .prefetch_related(
                "leaders",
                Prefetch("units", Unit.objects.filter(is_active=True), to_attr="active_units"),
                Prefetch("categories", DisputeCategory.objects.filter(is_active=True)
                         .select_related("default_lead_unit"), to_attr="active_categories"),
                Prefetch("channels", Channel.objects.filter(is_active=True, is_public=True),
                         to_attr="public_channels"),
                Prefetch("tiers", Tier.objects.prefetch_related("deadlines")),
            )
            .first()
        )
        context["mechanism"] = mechanism
        context["intake_page"] = (IntakeFormPage.objects.live().public()
                                  .filter(mechanism_id=self.mechanism_id).first())
        return context
