"""Case event hook (cases.services.core.EVENT_HOOKS): the group-size rule at registration."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def warning_on_register(event) -> None:
    """Runs inside the registration's transaction. A failure here is logged and rolled back to
    a savepoint: a warning must never stop a complaint from being registered."""
    if event.action != "register":
        return
    from analytics.services import warnings_check_case, warnings_due_at_registration

    try:
        if not warnings_due_at_registration(case=event.case):
            return  # the usual case: no savepoint, no query
        with transaction.atomic():
            warnings_check_case(case=event.case)
    except Exception:  # noqa: BLE001 — intake goes on; the next scan retries the rule
        logger.exception("登记 %s 时检查群体性争议预警失败", event.case.number)
