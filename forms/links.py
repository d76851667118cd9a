"""The tracking page's address, asked on every receipt and every acknowledgement SMS.

Finding it is two queries (view restrictions, then the live page); it changes only when pages are
published, unpublished, moved, deleted or restricted, or a site changes, and those signals clear
it. Kept in Django's cache, shared by the workers when CACHE_URL points at redis (as the rate
limits require); the timeout bounds how long another worker's locmem copy can lag behind.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

CACHE_KEY = "onestop:portal:tracking_url"
TIMEOUT = 300
_NONE = ""  # cached "no live public tracking page"


def tracking_page_url() -> str | None:
    """The live, public tracking page's URL (relative to the site), or None."""
    url = cache.get(CACHE_KEY)
    if url is None:
        from forms.models import TrackingPage

        page = TrackingPage.objects.live().public().first()
        url = (page.url or _NONE) if page is not None else _NONE
        cache.set(CACHE_KEY, url, TIMEOUT)
    return url or None


def forget_portal_links(**kwargs) -> None:
    cache.delete(CACHE_KEY)


for _signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
    _signal.connect(forget_portal_links, dispatch_uid=f"onestop-portal-links-{id(_signal)}")


@receiver([post_save, post_delete], sender=PageViewRestriction, dispatch_uid="onestop-links-pvr")
@receiver([post_save, post_delete], sender=Site, dispatch_uid="onestop-links-site")
@receiver(post_delete, sender=Page, dispatch_uid="onestop-links-page")
def _forget(sender, **kwargs):
    forget_portal_links()
