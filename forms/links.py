"""The tracking page's address, asked on every receipt and every acknowledgement SMS.

Finding it is two queries (view restrictions, then the live page); it changes only when pages,
restrictions or sites change, all of which renew the configuration stamp, so it lives in the
per-process configuration cache (cases.confcache) like the page routes.
"""

from __future__ import annotations

from cases.confcache import cached


def tracking_page_url() -> str | None:
    """The live, public tracking page's URL (relative to the site), or None."""
    from forms.models import TrackingPage

    def find() -> str | None:
        page = TrackingPage.objects.live().public().first()
        return (page.url or None) if page is not None else None

    return cached(("tracking_page_url",), find)
