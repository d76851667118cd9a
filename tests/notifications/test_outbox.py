"""The outbox as a queue: enqueue rules, back-off on failure, one send per row."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from notifications.models import Outbox
from notifications.services import notification_enqueue, outbox_retry, outbox_send_due, retry_delay

pytestmark = pytest.mark.django_db


def enqueue(**overrides):
    values = {"event": "analytics.warning", "channel": "sms", "recipient": "13900000001",
              "body": "【高平市征缴争议风险预警】测试。"}
    values.update(overrides)
    return notification_enqueue(**values)


def test_enqueue_writes_one_row():
    row = enqueue(subject="风险预警", dedupe_key="warning-1-office")
    assert isinstance(row, Outbox) and row.pk
    assert (row.status, row.attempts, row.subject) == ("pending", 0, "风险预警")
    assert row.next_attempt_at <= timezone.now()


def test_enqueue_dedupes_and_skips_empty_recipients():
    assert enqueue(dedupe_key="warning-7-office") is not None
    assert enqueue(dedupe_key="warning-7-office", body="另一条") is None
    assert enqueue(recipient="") is None and enqueue(recipient="   ") is None
    assert enqueue() is not None and enqueue() is not None  # no key: no dedupe
    assert Outbox.objects.count() == 3


def test_enqueue_refuses_unconfigured_channels():
    with pytest.raises(ValueError, match="wechat"):
        enqueue(channel="wechat")


def test_failing_backend_retries_with_back_off_then_sends_once(flaky_backend):
    row = enqueue()
    flaky_backend.failing = True
    t0 = timezone.now()
    first = outbox_send_due(now=t0)
    assert (first.claimed, first.retrying, first.sent) == (1, 1, 0)
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1
    assert "ConnectionError: 短信网关维护中" in row.last_error
    assert row.next_attempt_at == t0 + timedelta(seconds=60)
    assert outbox_send_due(now=t0 + timedelta(seconds=30)).claimed == 0  # not yet due
    second = outbox_send_due(now=t0 + timedelta(seconds=61))
    row.refresh_from_db()
    assert second.retrying == 1 and row.attempts == 2
    assert row.next_attempt_at == t0 + timedelta(seconds=61 + 120)
    flaky_backend.failing = False
    third = outbox_send_due(now=t0 + timedelta(minutes=10))
    row.refresh_from_db()
    assert third.sent == 1 and row.status == "sent" and row.sent_at and row.attempts == 3
    assert row.provider_message_id == "flaky-1"
    assert outbox_send_due(now=t0 + timedelta(days=1)).claimed == 0
    assert outbox_send_due(now=t0 + timedelta(days=1)).claimed == 0
    assert len(flaky_backend.sent) == 1 and flaky_backend.calls == 3
    assert {m.idempotency_key for m in flaky_backend.sent} == {str(row.idempotency_key)}


def test_back_off_doubles_and_is_capped():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == timedelta(hours=6)


def test_gives_up_after_max_attempts_and_can_be_retried(flaky_backend, settings):
    settings.ONESTOP_NOTIFICATION_MAX_ATTEMPTS = 2
    row = enqueue()
    flaky_backend.failing = True
    t0 = timezone.now()
    outbox_send_due(now=t0)
    assert outbox_send_due(now=t0 + timedelta(hours=1)).failed == 1
    row.refresh_from_db()
    assert row.status == "failed" and row.last_error
    assert outbox_send_due(now=t0 + timedelta(days=30)).claimed == 0
    flaky_backend.failing = False
    assert outbox_retry(ids=[row.pk]) == 1
    assert outbox_send_due(now=timezone.now() + timedelta(seconds=1)).sent == 1


def test_a_claimed_row_is_not_sent_by_a_second_run_until_its_lease_expires(flaky_backend):
    from notifications.services import _claim

    row = enqueue()
    t0 = timezone.now()
    [claimed] = _claim(limit=10, now=t0)  # a worker that then dies before marking
    assert claimed.pk == row.pk and claimed.status == "sending"
    assert outbox_send_due(now=t0 + timedelta(seconds=5)).claimed == 0
    late = outbox_send_due(now=t0 + timedelta(minutes=11))
    assert late.sent == 1 and len(flaky_backend.sent) == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
    assert flaky_backend.sent[0].idempotency_key == str(row.idempotency_key)


def test_limit_takes_the_oldest_first(flaky_backend):
    first = enqueue(body="一")
    enqueue(body="二")
    assert outbox_send_due(limit=1).sent == 1
    first.refresh_from_db()
    assert first.status == "sent" and flaky_backend.sent[0].body == "一"


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_row_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("并发发送测试需要 PostgreSQL（CI 在 PostgreSQL 上运行）；SQLite 由 IMMEDIATE 事务串行认领。")
    from tests.notifications.conftest import FlakyBackend

    class SlowBackend(FlakyBackend):
        def send(self, message):
            time.sleep(0.01)
            return super().send(message)

    FlakyBackend.failing, FlakyBackend.calls, FlakyBackend.sent = False, 0, []
    settings.ONESTOP_NOTIFICATION_BACKENDS = {"sms": f"{__name__}.SlowBackendAlias"}
    globals()["SlowBackendAlias"] = SlowBackend
    for n in range(40):
        enqueue(body=f"消息{n}")
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                outbox_send_due(limit=7)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    bodies = [m.body for m in FlakyBackend.sent]
    assert len(bodies) == len(set(bodies)) == 40
    assert Outbox.objects.filter(status="sent").count() == 40
