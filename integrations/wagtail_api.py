"""Wagtail API v2 (/api/v2/): the published portal pages, read-only, for a headless front end."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
# PagesAPIViewSet lists live, public pages only and offers no write methods.
api_router.register_endpoint("pages", PagesAPIViewSet)
