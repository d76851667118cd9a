"""The one door to notifications. The notifications app may not be installed yet: then a
warning is still recorded and shown, and the message is only logged."""

from __future__ import annotations

import logging

from django.apps import apps

logger = logging.getLogger(__name__)


def notification_send(*, event: str, channel: str, recipient: str, body: str, subject: str = "",
                      case=None, dedupe_key: str = ""):
    """notifications.services.notification_enqueue when available (an outbox row committed with
    the caller's transaction), else None."""
    if not apps.is_installed("notifications"):
        logger.info("通知模块未安装，未发送：%s → %s：%s", event, recipient, subject or body[:40])
        return None
    try:
        from notifications.services import notification_enqueue
    except ImportError:  # installed but without the service yet (it is being built)
        logger.warning("通知模块缺少 notification_enqueue，未发送：%s → %s", event, recipient)
        return None
    return notification_enqueue(event=event, channel=channel, recipient=recipient, body=body,
                                subject=subject, case=case, dedupe_key=dedupe_key)
