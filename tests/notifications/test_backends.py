"""Backends against real transports: an HTTP SMS gateway on 127.0.0.1, Django's mail."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from notifications.backends import (
    DeliveryError,
    EmailBackend,
    LogBackend,
    OutgoingMessage,
    SmsGatewayBackend,
    backend_for,
)
from notifications.models import Outbox
from notifications.services import notification_enqueue, outbox_send_due


class Gateway:
    """A tiny SMS gateway: answers with the queued statuses, records what it received."""

    def __init__(self):
        self.replies: list[int] = []
        self.delay = 0.0
        self.received: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                gateway.received.append({"body": body, "headers": dict(self.headers)})
                time.sleep(gateway.delay)
                status = gateway.replies.pop(0) if gateway.replies else 200
                reply = json.dumps({"message_id": f"gw-{len(gateway.received)}"} if status == 200
                                   else {"error": "busy"}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out first, as the timeout test wants

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def message(**overrides) -> OutgoingMessage:
    values = {"channel": "sms", "recipient": "13900000001", "subject": "", "body": "测试短信",
              "idempotency_key": "0f0e-1", "event": "transfer"}
    values.update(overrides)
    return OutgoingMessage(**values)


def test_sms_gateway_posts_json_with_key_and_idempotency(gateway):
    backend = SmsGatewayBackend(url=gateway.url, key="secret-1", sign="高平专班", timeout=5)
    assert backend.send(message()) == "gw-1"
    [request] = gateway.received
    assert request["body"] == {"phone": "13900000001", "content": "测试短信", "sign": "高平专班",
                               "request_id": "0f0e-1"}
    assert request["headers"]["Authorization"] == "Bearer secret-1"
    assert request["headers"]["Idempotency-Key"] == "0f0e-1"


def test_sms_gateway_errors_and_timeouts_raise(gateway):
    backend = SmsGatewayBackend(url=gateway.url, key="k", timeout=0.3)
    gateway.replies = [503]
    with pytest.raises(DeliveryError, match="HTTP 503"):
        backend.send(message())
    gateway.delay = 1.0
    with pytest.raises(DeliveryError, match="无法连接短信网关"):
        backend.send(message())
    with pytest.raises(DeliveryError, match="未配置"):
        SmsGatewayBackend().send(message())


@pytest.mark.django_db
def test_outbox_through_the_gateway_survives_an_outage(gateway, settings):
    settings.ONESTOP_NOTIFICATION_BACKENDS = {"sms": {
        "BACKEND": "notifications.backends.SmsGatewayBackend",
        "OPTIONS": {"url": gateway.url, "key": "k", "timeout": 5}}}
    row = notification_enqueue(event="transfer", channel="sms", recipient="13900000001",
                               body="争议事项已转交贵单位办理。")
    gateway.replies = [500, 502]
    t0 = timezone.now()
    assert outbox_send_due(now=t0).retrying == 1
    assert outbox_send_due(now=t0 + timedelta(minutes=1, seconds=1)).retrying == 1
    row.refresh_from_db()
    assert row.attempts == 2 and "HTTP 502" in row.last_error
    assert outbox_send_due(now=t0 + timedelta(minutes=10)).sent == 1
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT and row.provider_message_id == "gw-3"
    assert outbox_send_due(now=t0 + timedelta(days=1)).claimed == 0
    keys = {r["headers"]["Idempotency-Key"] for r in gateway.received}
    assert len(gateway.received) == 3 and keys == {str(row.idempotency_key)}


@pytest.mark.django_db
def test_email_backend_uses_django_mail(settings):
    settings.DEFAULT_FROM_EMAIL = "noreply@onestop.example.gov.cn"
    EmailBackend().send(message(channel="email", recipient="a@example.com", subject="已受理",
                                body="您好"))
    [sent] = mail.outbox
    assert sent.to == ["a@example.com"] and sent.subject == "已受理" and sent.body == "您好"
    assert sent.extra_headers["X-Idempotency-Key"] == "0f0e-1"


def test_log_backend_masks_the_number(caplog):
    with caplog.at_level("INFO", logger="notifications"):
        LogBackend().send(message())
    assert "139****0001" in caplog.text and "13900000001" not in caplog.text


def test_backend_for_reads_settings(settings):
    settings.ONESTOP_NOTIFICATION_BACKENDS = {"sms": "notifications.backends.LogBackend"}
    assert isinstance(backend_for("sms"), LogBackend)
    with pytest.raises(DeliveryError):
        backend_for("email")
