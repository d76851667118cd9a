"""Delivery backends, chosen per channel by ONESTOP_NOTIFICATION_BACKENDS.

A backend's send() returns the provider's message id ("" when there is none) or raises; any
exception counts as a failed attempt and the outbox retries the row later with back-off.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from cases.identity import mask_identity

logger = logging.getLogger("notifications")

DEFAULT_BACKEND = "notifications.backends.LogBackend"
# Used when settings name none: every message is logged, nothing leaves the machine.
DEFAULT_BACKENDS = {"sms": DEFAULT_BACKEND, "email": DEFAULT_BACKEND}


class DeliveryError(Exception):
    """The provider refused or could not be reached; the message is shown as last_error."""


@dataclass(frozen=True)
class OutgoingMessage:
    channel: str
    recipient: str
    subject: str
    body: str
    idempotency_key: str  # the same on every retry of one outbox row
    event: str = ""
    case_number: str = ""


class BaseBackend:
    def __init__(self, **options):
        self.options = options

    def send(self, message: OutgoingMessage) -> str:
        raise NotImplementedError


class LogBackend(BaseBackend):
    """Writes the message to the log: the default until a gateway is configured."""

    def send(self, message: OutgoingMessage) -> str:
        logger.info("notification %s via %s to %s: %s", message.event, message.channel,
                    mask_identity(message.recipient) or "***", message.body)
        return ""


class MemoryBackend(BaseBackend):
    """Keeps sent messages in a class-level list, like Django's locmem mail backend."""

    sent: ClassVar[list[OutgoingMessage]] = []

    def send(self, message: OutgoingMessage) -> str:
        type(self).sent.append(message)
        return f"mem-{len(type(self).sent)}"


class SmsGatewayBackend(BaseBackend):
    """POSTs JSON to an HTTP SMS gateway. Options: url, key, timeout (seconds), sign.

    Request: {"phone", "content", "sign", "request_id"} with `Authorization: Bearer <key>` and
    `Idempotency-Key: <request_id>`; any 2xx is success, `message_id` in a JSON reply is kept."""

    def send(self, message: OutgoingMessage) -> str:
        url = self.options.get("url")
        if not url:
            raise DeliveryError("未配置短信网关地址。")
        payload = json.dumps({
            "phone": message.recipient, "content": message.body,
            "sign": self.options.get("sign", ""), "request_id": message.idempotency_key,
        }, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=payload, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {self.options.get('key', '')}",
            "Idempotency-Key": message.idempotency_key,
        })
        try:
            with urllib.request.urlopen(request, timeout=float(self.options.get("timeout", 10))) as reply:
                body = reply.read(4096)
        except urllib.error.HTTPError as exc:
            detail = exc.read(200).decode("utf-8", "replace")
            raise DeliveryError(f"短信网关返回 HTTP {exc.code}：{detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"无法连接短信网关：{exc}") from exc
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return ""
        return str(data.get("message_id", "")) if isinstance(data, dict) else ""


class EmailBackend(BaseBackend):
    """Django's mail (EMAIL_BACKEND / EMAIL_HOST settings). Option: from_email."""

    def send(self, message: OutgoingMessage) -> str:
        email = EmailMessage(
            subject=message.subject or "通知", body=message.body,
            from_email=self.options.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient], headers={"X-Idempotency-Key": message.idempotency_key},
        )
        email.send(fail_silently=False)
        return ""


def backend_for(channel: str) -> BaseBackend:
    """A fresh backend for `channel`: settings may name a class path or {"BACKEND", "OPTIONS"}."""
    configured = getattr(settings, "ONESTOP_NOTIFICATION_BACKENDS", DEFAULT_BACKENDS)
    if channel not in configured:
        raise DeliveryError(f"未配置发送方式“{channel}”的后端。")
    entry = configured[channel]
    if isinstance(entry, str):
        entry = {"BACKEND": entry}
    backend_class = import_string(entry.get("BACKEND", DEFAULT_BACKEND))
    return backend_class(**entry.get("OPTIONS", {}))


def configured_channels() -> set[str]:
    return set(getattr(settings, "ONESTOP_NOTIFICATION_BACKENDS", DEFAULT_BACKENDS))
