"""Retention: archived cases older than ONESTOP_RETENTION_DAYS lose their personal data.

What goes (live row, every history row, timeline, attachments, sent messages): the
complainant's name, ID number, phone and address, the channel ticket, the free texts a clerk or
the complainant wrote (facts, request, agreement, opinion, feedback, follow-up, objection,
remedy, tier reason, timeline notes), the extra form data and every attachment file.
What stays: number, dates and deadlines, channel, category, tier, units, status, settlement
method, satisfaction, people count, risk flags, employer, archive number, and the result
summary with the complainant's name, ID and phone numbers scrubbed out — enough for statistics
and the archive index, nothing that points at a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from security.fields import set_blind_indexes

ANON_NAME = "已匿名"  # also the marker that makes a second run skip the case
REMOVED = "（超过保存期限，内容已删除）"
REMOVED_FILE = "（已删除的附件）"
CHANGE_REASON = "超过保存期限，个人信息已匿名化"
FLOOR_DAYS = 365  # a mistyped --older-than-days must not wipe last month's archive
AUDIT_NUMBERS_MAX = 1000

PERSONAL = {"complainant_name": ANON_NAME, "complainant_id_number": "", "complainant_phone": "",
            "complainant_address": "", "channel_ticket": ""}
FREE_TEXTS = ("facts", "request", "tier_reason", "settlement_agreement", "opinion",
              "feedback_content", "employer_feedback", "follow_up_comment", "objection_reason",
              "remedy_guidance")
SCRUBBED_TEXTS = ("result",)  # kept as the result summary, identifiers taken out
HASHES = ("complainant_id_number_hash", "complainant_phone_hash")

# Identifier shapes, whoever they belong to: ID numbers, credit codes, mobiles, landlines.
IDENTIFIER_RE = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|[0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10}"
    r"|(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}|0\d{2,3}-?\d{7,8})(?![0-9A-Za-z])")
MASK = "＊＊＊"


class RetentionError(ValueError):
    pass


@dataclass
class AnonymiseResult:
    cutoff: datetime
    older_than_days: int
    dry_run: bool
    numbers: list[str] = field(default_factory=list)
    history_rows: int = 0
    events: int = 0
    attachments: int = 0
    messages: int = 0

    @property
    def cases(self) -> int:
        return len(self.numbers)


def pseudonym(name: str) -> str:
    """王建国 → 王某, 欧阳小明 → 欧阳某: the way published cases name people."""
    name = name.strip()
    return (name[:2] if len(name) >= 4 else name[:1]) + "某" if name else ""


class Scrubber:
    """Takes one case's known identifiers (every value they ever had) out of a text."""

    def __init__(self):
        self.names: set[str] = set()
        self.values: set[str] = set()

    def learn(self, row) -> None:
        name = (row.complainant_name or "").strip()
        if len(name) >= 2 and name != ANON_NAME:
            self.names.add(name)
        for value in (row.complainant_id_number, row.complainant_phone, row.complainant_address):
            if value and len(value.strip()) >= 4:
                self.values.add(value.strip())

    def __call__(self, text: str) -> str:
        if not text:
            return text
        for value in sorted(self.values, key=len, reverse=True):
            text = text.replace(value, MASK)
        for name in sorted(self.names, key=len, reverse=True):
            text = text.replace(name, pseudonym(name))
        return IDENTIFIER_RE.sub(MASK, text)

    def deep(self, value):
        if isinstance(value, str):
            return self(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {k: self.deep(v) for k, v in value.items()}
        return value


def cases_due(*, cutoff: datetime):
    from cases.models import Case, CaseStatus

    return (Case.objects.filter(status=CaseStatus.ARCHIVED, archived_at__lt=cutoff)
            .exclude(complainant_name=ANON_NAME))


def _anonymise_row(row, scrub: Scrubber) -> None:
    for name, value in PERSONAL.items():
        setattr(row, name, value)
    for name in FREE_TEXTS:
        if getattr(row, name):
            setattr(row, name, REMOVED)
    for name in SCRUBBED_TEXTS:
        setattr(row, name, scrub(getattr(row, name)))
    row.extra = {}
    set_blind_indexes(row)


@transaction.atomic
def cases_anonymise(*, older_than_days: int | None = None, dry_run: bool = False,
                    actor_label: str = "", now: datetime | None = None) -> AnonymiseResult:
    """Anonymise every archived case archived more than N days ago (default
    ONESTOP_RETENTION_DAYS). Idempotent: anonymised cases are not selected again."""
    from cases.models import Attachment, Case, TimelineEvent
    from security.models import AuditAction
    from security.services import audit_record

    days = settings.ONESTOP_RETENTION_DAYS if older_than_days is None else int(older_than_days)
    if days < FLOOR_DAYS:
        raise RetentionError(f"保存期限不能少于{FLOOR_DAYS}天（当前为{days}天）。")
    cutoff = (now or timezone.now()) - timedelta(days=days)
    result = AnonymiseResult(cutoff=cutoff, older_than_days=days, dry_run=dry_run)
    cases = list(cases_due(cutoff=cutoff).select_for_update().order_by("pk"))
    result.numbers = [c.number for c in cases]
    if dry_run or not cases:
        return result
    ids = [c.pk for c in cases]
    HistoricalCase = Case.history.model

    # Learn every identifier a case ever had before anything is overwritten.
    scrubbers = {pk: Scrubber() for pk in ids}
    history = list(HistoricalCase.objects.filter(id__in=ids).order_by("history_id"))
    for row in [*cases, *history]:
        scrubbers[row.id].learn(row)

    for case in cases:
        _anonymise_row(case, scrubbers[case.pk])
    fields = [*PERSONAL, *FREE_TEXTS, *SCRUBBED_TEXTS, "extra", *HASHES]
    bulk_update_with_history(cases, Case, fields, batch_size=500,
                             default_change_reason=CHANGE_REASON)

    # The history rows are the history: rewritten in place, not versioned again.
    for row in history:
        _anonymise_row(row, scrubbers[row.id])
        row.history_change_reason = scrubbers[row.id](row.history_change_reason or "") or None
    history_fields = [f for f in fields if f not in HASHES]  # history keeps no blind indexes
    HistoricalCase.objects.bulk_update(history, [*history_fields, "history_change_reason"],
                                       batch_size=500)
    result.history_rows = len(history) + len(cases)

    events = list(TimelineEvent.objects.filter(case_id__in=ids))
    for event in events:
        scrub = scrubbers[event.case_id]
        event.note = REMOVED if event.note else ""
        event.public_text = scrub(event.public_text)[:300]
        event.actor_label = scrub(event.actor_label)[:100]
        event.data = scrub.deep(event.data)
    TimelineEvent.objects.bulk_update(events, ["note", "public_text", "actor_label", "data"],
                                      batch_size=500)
    result.events = len(events)

    result.attachments = _attachments_delete(Attachment, ids)
    result.messages = _messages_scrub(ids)

    numbers = result.numbers[:AUDIT_NUMBERS_MAX]
    audit_record(action=AuditAction.ANONYMISE, detail={
        "older_than_days": days, "cutoff": cutoff.isoformat(), "cases": result.cases,
        "numbers": numbers, "numbers_truncated": len(result.numbers) > len(numbers),
        "history_rows": result.history_rows, "events": result.events,
        "attachments": result.attachments, "messages": result.messages, "by": actor_label})
    return result


def _attachments_delete(Attachment, case_ids: list[int]) -> int:
    attachments = list(Attachment.objects.filter(case_id__in=case_ids))
    files = [a.file.name for a in attachments if a.file]
    for attachment in attachments:
        attachment._change_reason = CHANGE_REASON
        attachment.delete()  # writes the "-" history row
    Attachment.history.filter(case_id__in=case_ids).update(original_name=REMOVED_FILE)
    storage = Attachment._meta.get_field("file").storage

    def remove_files():
        # After commit: a rolled-back run must not leave rows pointing at missing files.
        for name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
    return len(attachments)


def _messages_scrub(case_ids: list[int]) -> int:
    """Sent SMS and mail carry the phone or address and often the name: blank them."""
    try:
        Outbox = apps.get_model("notifications", "Outbox")
    except LookupError:
        return 0
    # Outbox has no simple-history: a plain update is the whole change.
    return Outbox.objects.filter(case_id__in=case_ids).update(recipient="", subject="", body=REMOVED)
