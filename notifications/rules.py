"""Which timeline events send which messages, to whom, with which text.

Runs inside the case transaction (cases.services.core.EVENT_HOOKS): the outbox rows commit or
roll back with the event. Each row's dedupe_key names the event, so running twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from functools import lru_cache
from itertools import chain
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.confcache import cached
from cases.identity import looks_like_mobile, normalize_mobile
from cases.models import CaseStatus, TimelineEvent
from notifications.backends import configured_channels
from notifications.defaults import DEFAULT_TEMPLATES
from notifications.models import Event, MessageTemplate, Outbox, compile_template
from notifications.services import outbox_enqueue

RESULT_PREVIEW = 150  # characters of the feedback quoted in an SMS; the rest is on the page


def template_for(event: str, channel: str) -> MessageTemplate | None:
    """The active template, created from the defaults on first use; None when switched off."""
    template = cached(("message_template", event, channel),
                      lambda: MessageTemplate.objects.filter(event=event, channel=channel).first())
    if template is None:
        default = DEFAULT_TEMPLATES.get((event, channel))
        if default is None:
            return None
        template, _ = MessageTemplate.objects.get_or_create(
            event=event, channel=channel,
            defaults={"subject": default.get("subject", ""), "body": default["body"]})
    return template if template.is_active else None


def render(text: str, context: dict[str, Any]) -> str:
    pieces = _plain_pieces(text)
    if pieces is not None:
        literals, names = pieces
        values = [context.get(name) for name in names]
        if all(type(value) is str for value in values):
            # What Django's engine renders for such a text (no escaping, a string shown as it
            # is), without building a Context: the engine was ~4% of an online submission.
            return "".join(chain.from_iterable(zip(literals, [*values, ""], strict=True))).strip()
    from django.template import Context

    # Plain text: a Context escapes HTML unless told not to, whatever the engine says.
    return compile_template(text).render(Context(context, autoescape=False)).strip()


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a plain lookup: no filter, dot, literal, leading "_"


@lru_cache(maxsize=256)
def _plain_pieces(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(literal texts, variable names) of a text that uses nothing but {{ name }}, split by the
    engine's own lexer; None for anything else (tags, filters, comments), left to the engine."""
    from django.template.base import Lexer, TokenType

    literals: list[str] = []
    names: list[str] = []
    pending = ""
    for token in Lexer(text).tokenize():
        if token.token_type == TokenType.TEXT:
            pending += token.contents
        elif token.token_type == TokenType.VAR and _NAME.fullmatch(token.contents):
            literals.append(pending)
            names.append(token.contents)
            pending = ""
        else:
            return None
    return (*literals, pending), tuple(names)


def tracking_url() -> str:
    """The public tracking page: ONESTOP_TRACKING_URL, else the live page under the site URL."""
    explicit = getattr(settings, "ONESTOP_TRACKING_URL", "")
    if explicit:
        return explicit
    base = getattr(settings, "ONESTOP_PUBLIC_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL
    path = "/track/"
    try:
        from forms.links import tracking_page_url  # cached: asked for every acknowledgement

        path = tracking_page_url() or path
    except ImportError:  # the portal app is optional for the engine
        pass
    return base.rstrip("/") + path if path.startswith("/") else path


def case_context(case, **extra) -> dict[str, Any]:
    """Flat values only: templates edited in the admin never reach the case object itself."""
    mechanism = case.mechanism
    link = tracking_url()
    values = {
        "number": case.number, "query_code": case.query_code, "mechanism": mechanism.name,
        "office": mechanism.office_name, "region": mechanism.region,
        "category": case.category.name if case.category_id else "",
        "unit": case.lead_unit.name if case.lead_unit_id else "",
        "due_date": f"{case.due_date:%Y年%m月%d日}" if case.due_date else "",
        "result": _preview(case.feedback_content or case.result),
        "tracking_url": link, "survey_url": link,
    }
    values.update(extra)
    return values


def _preview(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= RESULT_PREVIEW else text[:RESULT_PREVIEW] + "……"


def _queue(event: TimelineEvent, kind: str, channel: str, recipient: str, context: dict,
           delay: timedelta | None = None) -> Outbox | None:
    if not recipient or channel not in configured_channels():
        return None
    template = template_for(kind, channel)
    if template is None:
        return None
    return outbox_enqueue(
        event=kind, channel=channel, recipient=recipient, case=event.case,
        subject=render(template.subject, context), body=render(template.body, context),
        dedupe_key=f"timeline:{event.pk}:{kind}:{channel}",
        not_before=timezone.now() + delay if delay else None,
    )


def sms_number(phone: str) -> str:
    """The mobile number to text, or "" for a landline or nothing (SMS cannot reach them)."""
    phone = (phone or "").strip()
    return normalize_mobile(phone) if looks_like_mobile(phone) else ""


def complainant_mobile(case) -> str:
    return sms_number(case.complainant_phone)


def complainant_email(case) -> str:
    email = (case.extra or {}).get("email", "")
    return email if isinstance(email, str) and "@" in email else ""


def _to_complainant(event: TimelineEvent, kind: str, delay: timedelta | None = None) -> None:
    context = case_context(event.case)
    _queue(event, kind, "sms", complainant_mobile(event.case), context, delay)
    _queue(event, kind, "email", complainant_email(event.case), context, delay)


def on_register(event: TimelineEvent) -> None:
    _to_complainant(event, Event.ACKNOWLEDGEMENT)


def on_transfer(event: TimelineEvent) -> None:
    case = event.case
    unit = case.lead_unit
    if unit is None or event.unit_id == unit.pk:
        return  # the unit transferred the case to itself: nobody to tell
    _queue(event, Event.TRANSFER, "sms", sms_number(unit.liaison_phone), case_context(case))


def on_remind(event: TimelineEvent) -> None:
    unit = event.unit
    if unit is None:
        return
    case = event.case
    data = event.data or {}
    stage_label = case.get_running_stage_display() if case.running_stage else ""
    context = case_context(case, unit=unit.name, stage=stage_label,
                           overdue=data.get("level") == "overdue")
    _queue(event, Event.REMINDER, "sms", sms_number(unit.liaison_phone), context)


def on_feedback(event: TimelineEvent) -> None:
    """The result now; the survey invitation later (ONESTOP_SURVEY_DELAY_HOURS), so the
    complainant reads the answer first. It is dropped at send time if they have rated already."""
    _to_complainant(event, Event.RESULT)
    hours = getattr(settings, "ONESTOP_SURVEY_DELAY_HOURS", 24)
    _to_complainant(event, Event.SURVEY, delay=timedelta(hours=hours))


HANDLERS: dict[str, Callable[[TimelineEvent], None]] = {
    "register": on_register,
    "transfer": on_transfer,
    "pass_on": on_transfer,
    "decide_competence": on_transfer,
    "remind": on_remind,
    "feedback": on_feedback,
}


def on_timeline_event(event: TimelineEvent) -> None:
    """The EVENT_HOOKS entry."""
    handler = HANDLERS.get(event.action)
    if handler is not None:
        handler(event)


def on_timeline_saved(sender, instance: TimelineEvent, created: bool, **kwargs) -> None:
    """post_save, for the deadline sweep's "remind" rows: the sweep writes them directly rather
    than through record_event, so EVENT_HOOKS never sees them. dedupe_key keeps this single."""
    if created and instance.action == "remind" and not kwargs.get("raw"):
        on_remind(instance)


def message_obsolete(row: Outbox) -> bool:
    if row.event != Event.SURVEY or row.case_id is None:
        return False
    case = row.case
    return bool(case.satisfaction) or case.status != CaseStatus.FED_BACK
