"""The outbox: rows written in the caller's transaction, sent afterwards by a worker.

Delivery is at-least-once with an idempotency key:
1. claim — a short transaction moves due rows to "sending" under a lease (claim_token,
   locked_until) and counts the attempt. PostgreSQL skips rows another worker holds
   (SKIP LOCKED); SQLite's IMMEDIATE transactions serialise claims. The UPDATE re-checks the
   due condition, so a row is claimed by one worker only.
2. send — outside any transaction, so a slow gateway never holds a database lock.
3. mark — sent, or back to pending with exponential back-off, only if our claim still holds.
A worker that dies between 2 and 3 leaves its rows "sending"; after the lease they are claimed
again and resent with the same idempotency_key, which the gateway uses to drop the duplicate.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.deferred import row_defer
from cases.sql import insert_sql
from notifications.backends import BaseBackend, OutgoingMessage, backend_for, configured_channels
from notifications.models import Outbox

MAX_DEDUPE_KEY = 150


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def summary(self) -> str:
        return (f"消息发送：取出 {self.claimed} 条，成功 {self.sent} 条，稍后重试 {self.retrying} 条，"
                f"放弃 {self.failed} 条，无需发送 {self.skipped} 条。")


def _setting(name: str, default):
    return getattr(settings, name, default)


def retry_delay(attempts: int) -> timedelta:
    """60 s, 120 s, 240 s … capped: the gateway's outage should not become our flood."""
    base = _setting("ONESTOP_NOTIFICATION_RETRY_BASE_SECONDS", 60)
    cap = _setting("ONESTOP_NOTIFICATION_RETRY_MAX_SECONDS", 6 * 3600)
    return timedelta(seconds=min(cap, base * 2 ** max(attempts - 1, 0)))


def outbox_enqueue(*, event: str, channel: str, recipient: str, body: str, subject: str = "",
                   case=None, dedupe_key: str = "", not_before: datetime | None = None) -> Outbox | None:
    """notification_enqueue with a send-not-before time (delayed messages), in the caller's
    transaction. During a case's registration (outside any savepoint opened in it) the row is
    written with the case row (cases.deferred): the row returned then has no id yet, and is
    returned even when an existing dedupe_key will keep it from being written."""
    recipient = (recipient or "").strip()
    if not recipient:
        return None
    if channel not in configured_channels():
        raise ValueError(f"未配置的发送方式：{channel}")
    if len(dedupe_key) > MAX_DEDUPE_KEY:
        raise ValueError(f"dedupe_key 不能超过 {MAX_DEDUPE_KEY} 个字符。")
    row = Outbox(event=event[:40], channel=channel, recipient=recipient[:200],
                 subject=subject[:200], body=body, case=case, dedupe_key=dedupe_key,
                 next_attempt_at=not_before or timezone.now())
    if not _insert_unless_duplicate(row):
        return None
    transaction.on_commit(_kick_worker)
    return row


def _insert_unless_duplicate(row: Outbox) -> bool:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id (PostgreSQL; SQLite ≥ 3.35): one statement
    that writes nothing when a row with the same dedupe_key exists or is being written by a
    concurrent twin (PostgreSQL waits for that one's outcome) — without a savepoint, and without
    breaking the caller's transaction. False when nothing was written. During a case's
    registration the row goes with the case row (cases.deferred) and True means "queued"."""
    if row_defer(row, skip_duplicate=True):
        return True
    db = Outbox.objects.db
    conn = connections[db]
    sql, values = insert_sql(row, fields=[f for f in Outbox._meta.concrete_fields if not f.primary_key],
                             connection=conn)
    with conn.cursor() as cursor:
        cursor.execute(f"{sql} ON CONFLICT DO NOTHING RETURNING "
                       f"{conn.ops.quote_name(Outbox._meta.pk.column)}", values)
        inserted = cursor.fetchone()
    if inserted is None:
        return False
    row.pk = inserted[0]
    row._state.adding, row._state.db = False, db
    return True


# One statement that writes nothing on a duplicate and never breaks the caller's transaction:
# a savepoint around it would only add two round trips per message.
@transaction.atomic(savepoint=False)
def notification_enqueue(*, event: str, channel: str, recipient: str, body: str, subject: str = "",
                         case=None, dedupe_key: str = "") -> Outbox | None:
    """Write one outbox row in the current transaction. None (nothing written) when the
    recipient is empty or a row with the same non-empty dedupe_key exists."""
    return outbox_enqueue(event=event, channel=channel, recipient=recipient, body=body,
                          subject=subject, case=case, dedupe_key=dedupe_key)


def _kick_worker() -> None:
    # With a real task queue, wake a worker right after commit; otherwise run_outbox polls.
    if not _setting("ONESTOP_OUTBOX_KICK", False):
        return
    from notifications.tasks import outbox_send_task

    outbox_send_task.enqueue()


def _due(now: datetime) -> Q:
    return (Q(status=Outbox.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Outbox.Status.SENDING, locked_until__lt=now))


def _claim(*, limit: int, now: datetime) -> list[Outbox]:
    token = uuid.uuid4()
    lease = timedelta(seconds=_setting("ONESTOP_NOTIFICATION_LEASE_SECONDS", 600))
    with transaction.atomic():
        candidates = Outbox.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Outbox.objects.filter(_due(now), pk__in=ids).update(
            status=Outbox.Status.SENDING, claim_token=token, locked_until=now + lease,
            attempts=F("attempts") + 1,
        )
    return list(Outbox.objects.filter(claim_token=token).select_related("case")
                .order_by("next_attempt_at", "id"))


def _obsolete(row: Outbox) -> bool:
    """A delayed survey invitation is moot once the complainant has rated or objected."""
    from notifications.rules import message_obsolete

    return message_obsolete(row)


def _finish(row: Outbox, **values) -> bool:
    return bool(Outbox.objects.filter(pk=row.pk, claim_token=row.claim_token).update(**values))


def _deliver(row: Outbox, *, backends: dict[str, BaseBackend], now: datetime,
             result: SendResult) -> None:
    if _obsolete(row):
        _finish(row, status=Outbox.Status.SKIPPED, locked_until=None, last_error="")
        result.skipped += 1
        return
    try:
        if row.channel not in backends:
            backends[row.channel] = backend_for(row.channel)
        message = OutgoingMessage(
            channel=row.channel, recipient=row.recipient, subject=row.subject, body=row.body,
            idempotency_key=str(row.idempotency_key), event=row.event,
            case_number=row.case.number if row.case_id else "",
        )
        provider_id = backends[row.channel].send(message)
    except Exception as exc:  # noqa: BLE001 - any failure is one failed attempt, recorded
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if row.attempts >= _setting("ONESTOP_NOTIFICATION_MAX_ATTEMPTS", 8):
            _finish(row, status=Outbox.Status.FAILED, locked_until=None, last_error=error)
            result.failed += 1
        else:
            _finish(row, status=Outbox.Status.PENDING, locked_until=None, last_error=error,
                    next_attempt_at=now + retry_delay(row.attempts))
            result.retrying += 1
        return
    _finish(row, status=Outbox.Status.SENT, locked_until=None, sent_at=timezone.now(),
            provider_message_id=str(provider_id or "")[:100])
    result.sent += 1


def outbox_send_due(*, limit: int = 100, now: datetime | None = None) -> SendResult:
    """Claim up to `limit` due rows and send them. Not atomic on purpose: the claim must commit
    before the slow sends (see the module docstring). Safe to run in parallel."""
    now = now or timezone.now()
    result = SendResult()
    rows = _claim(limit=limit, now=now)
    result.claimed = len(rows)
    backends: dict[str, BaseBackend] = {}
    for row in rows:
        _deliver(row, backends=backends, now=now, result=result)
    return result


@transaction.atomic
def outbox_retry(*, ids: list[int]) -> int:
    """Put given failed rows back in the queue now (admin action after fixing a gateway)."""
    return Outbox.objects.filter(pk__in=ids, status=Outbox.Status.FAILED).update(
        status=Outbox.Status.PENDING, next_attempt_at=timezone.now(), attempts=0, claim_token=None,
    )
