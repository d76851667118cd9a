"""Wagtail's page routing, remembered per process (cases.confcache) instead of redone per request.

Every request to a page costs Wagtail a site lookup, the root page's specific object, a child
lookup and .specific per level, and the view-restriction query: five or six queries on each POST of
the intake form, more than the case itself. The route depends only on host, port, path and
language, and changes only when pages, sites or restrictions do — all of which renew the
configuration stamp. This middleware hands Wagtail's serve view what it would compute
(``request._wagtail_site`` and ``request._wagtail_route_for_request``, the attributes Wagtail
itself memoises them in); hooks, privacy checks and page.serve run exactly as before.

Only page types that say ``route_cacheable = True`` are served from the cache: the instance is
shared (copied per request) and its route must depend on the path alone, which holds for the
project's own pages; any other page type (a third-party one, the stock form page of the
benchmark) is routed by Wagtail on every request, as it would be without this middleware.
"""

from __future__ import annotations

import copy

from django.http.request import split_domain_port
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.views import serve as wagtail_serve

from cases.confcache import cached

UNCACHEABLE = "uncacheable"


def _route(request, path: str):
    """(site, page, args, kwargs, view restrictions) as Wagtail finds them, None when there is
    no page, UNCACHEABLE when the page type did not opt in."""
    site = Site.find_for_request(request)
    route = Page.route_for_request(request, path) if site else None
    if route is None:
        return None
    page, args, kwargs = route
    if not getattr(page, "route_cacheable", False):
        return UNCACHEABLE
    return site, copy.copy(page), tuple(args), dict(kwargs), list(page.get_view_restrictions())


def _uncached(request) -> None:
    for attr in ("_wagtail_site", "_wagtail_route_for_request"):
        request.__dict__.pop(attr, None)


def prime_route(request, path: str) -> None:
    hostname = split_domain_port(request._get_raw_host())[0]
    key = ("route", hostname, request.get_port(), translation.get_language(), path)
    entry = cached(key, lambda: _route(request, path))
    if entry is None or entry == UNCACHEABLE:
        _uncached(request)  # let Wagtail route it (404 for a miss) the usual way
        return
    site, page, args, kwargs, restrictions = entry
    page = copy.copy(page)  # per-request attributes set while serving stay on this request
    # Wagtail's privacy hook asks the page for its restrictions; these were read with the route.
    page.get_view_restrictions = lambda: restrictions
    request._wagtail_site = site
    request._wagtail_route_for_request = (page, list(args), dict(kwargs))


class CachedPageRouteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_serve and not getattr(request, "is_preview", False):
            path = view_kwargs.get("path", view_args[0] if view_args else "")
            prime_route(request, path)
        return None
