"""/track/: case number + query code → the case's public progress, rating and objection."""

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class TrackingPage(Page):
    route_cacheable = True  # home.routing: served from the per-process route cache
    intro = RichTextField("说明", blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count = 1
    template = "intake/tracking_page.html"

    class Meta:
        verbose_name = "进度查询"

    def serve(self, request, *args, **kwargs):
        from forms.tracking_view import tracking_serve

        return tracking_serve(self, request)
