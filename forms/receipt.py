"""The receipt page: its card (numbers, query code, deadline) rendered for each submission, the
page around it — head, navigation, footer — rendered once per page and configuration.

The page around the card is the same for every visitor who is not signed in and has no pending
message, and rendering it was about 60% of the receipt's template time (bench/intake_bench.py
measures the submission whole). It is rendered without the request and from page-level values
only, so nothing of a visitor or a case can end up in it; it is kept with the configuration
(cases.confcache: publishing a page or changing the mechanism renders it anew). A signed-in user
(Wagtail's user bar) or a pending message gets the whole page rendered, as any other page."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.safestring import mark_safe

from cases.confcache import cached

CARD_TEMPLATE = "intake/_receipt_card.html"
SLOT = "<!--onestop:receipt-card-->"
PAGE_LEVEL = ("page", "self", "mechanism", "tracking_url")  # what the page around may use


def receipt_response(page, request, context: dict) -> HttpResponse:
    template = page.get_landing_page_template(request)
    card = render_to_string(CARD_TEMPLATE, context)
    if _plain_visitor(request):
        key = ("receipt_frame", page.pk, template, translation.get_language())
        head, tail = cached(key, lambda: _frame(template, context))
        if tail is not None:
            return HttpResponse(head + card + tail)
    return TemplateResponse(request, template, {**context, "receipt_card": mark_safe(card)})


def _plain_visitor(request) -> bool:
    # A preview shows a draft: never kept as the live page's.
    return (not getattr(request, "is_preview", False) and not request.user.is_authenticated
            and not len(get_messages(request)))


def _frame(template: str, context: dict) -> tuple[str, str | None]:
    """The page before and after the card; (…, None) if the template does not show the card."""
    values = {name: context[name] for name in PAGE_LEVEL if name in context}
    html = render_to_string(template, {**values, "receipt_card": mark_safe(SLOT)})
    head, found, tail = html.partition(SLOT)
    return (head, tail) if found else ("", None)
