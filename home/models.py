from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The public portal's front page: what the service is and where to file a complaint."""
    route_cacheable = True  # home.routing: served from the per-process route cache

    lead = models.CharField("导语", max_length=200, blank=True)
    intro = RichTextField("服务简介", blank=True)
    channels_note = RichTextField("受理渠道说明", blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        FieldPanel("intro"),
        FieldPanel("channels_note"),
    ]

    class Meta:
        verbose_name = "门户首页"

    def get_context(self, request, *args, **kwargs):
        from cases.selectors import public_channels_by_mechanism

        context = super().get_context(request, *args, **kwargs)
        context["mechanisms"] = public_channels_by_mechanism()
        return context
