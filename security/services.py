"""Writes to the audit trail. Other apps call ``audit_record``; nothing else writes AuditEvent.

    from security.services import audit_record
    audit_record(action="document", user=request.user, request=request, obj=document,
                 detail={"kind": document.kind, "step": "issue"})
"""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from security.models import AuditAction, AuditEvent
from security.net import client_ip

logger = logging.getLogger("onestop.audit")

ACTION_SHAPE = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
# Never stored, whatever a caller passes in `detail`.
SECRET_KEYS = frozenset({"password", "password1", "password2", "token", "otp_token", "secret", "key"})
RETENTION_FLOOR_DAYS = 180


class AuditError(ValueError):
    pass


def _clean_detail(detail: dict | None) -> dict:
    if not detail:
        return {}
    if not isinstance(detail, dict):
        raise AuditError("detail 必须是字典。")
    cleaned = {k: v for k, v in detail.items() if str(k).lower() not in SECRET_KEYS}
    # Round-trip through JSON so dates and lazy strings are stored as plain text.
    return json.loads(json.dumps(cleaned, ensure_ascii=False, default=str))


def _target(obj) -> tuple[ContentType | None, str, str]:
    if obj is None:
        return None, "", ""
    label = getattr(obj, "number", None) or str(obj)
    return ContentType.objects.get_for_model(obj), str(obj.pk), str(label)[:200]


def _mechanism_id(obj, user) -> int | None:
    from cases.models import Mechanism, Unit
    from cases.policy import membership

    if isinstance(obj, Mechanism):
        return obj.pk
    mechanism_id = getattr(obj, "mechanism_id", None)
    if mechanism_id:
        return mechanism_id
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    m = membership(user)
    ids = set(Unit.objects.filter(pk__in=m.unit_ids).values_list("mechanism_id", flat=True))
    ids |= m.leader_mechanism_ids
    return ids.pop() if len(ids) == 1 else None  # staff of several mechanisms: superusers only


def audit_record(*, action: str, user=None, request=None, obj=None,
                 detail: dict | None = None) -> AuditEvent:
    """Append one event. Raises rather than failing silently: a reveal or export that cannot
    be recorded must not happen, so call this before handing data out."""
    if not ACTION_SHAPE.match(action or ""):
        raise AuditError(f"操作代码不合规：{action!r}（小写字母、数字、下划线或点，至多40个字符）")
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        user = candidate if candidate is not None and candidate.is_authenticated else None
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    target_type, target_id, target_label = _target(obj)
    meta = request.META if request is not None else {}
    event = AuditEvent(
        action=action, user=user,
        username=user.get_username() if user is not None else str((detail or {}).get("username", ""))[:150],
        ip=client_ip(request), user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        path=(request.path[:300] if request is not None else ""),
        mechanism_id=_mechanism_id(obj, user), target_type=target_type, target_id=target_id,
        target_label=target_label, detail=_clean_detail(detail),
    )
    event.save()
    # A copy for the log shipper (syslog/SIEM): codes only, no personal data.
    logger.info("audit action=%s user=%s ip=%s target=%s:%s", action, event.username or "-",
                event.ip or "-", target_type.model if target_type else "-", target_id or "-")
    return event


def audit_purge(*, older_than_days: int, actor_label: str = "") -> int:
    """Delete events older than N days (N ≥ 180, 网络安全法 第二十一条). Records itself."""
    floor = max(RETENTION_FLOOR_DAYS, int(getattr(settings, "ONESTOP_AUDIT_RETENTION_DAYS",
                                                  RETENTION_FLOOR_DAYS)))
    if older_than_days < floor:
        raise AuditError(f"审计记录至少保存{floor}天，不能清理{older_than_days}天以内的记录。")
    cutoff = timezone.now() - timedelta(days=older_than_days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The table's trigger lets deletes through only inside this transaction.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL onestop.audit_purge = 'on'")
        count = AuditEvent.objects.filter(at__lt=cutoff)._purge()
        audit_record(action=AuditAction.PURGE, detail={
            "older_than_days": older_than_days, "cutoff": cutoff.isoformat(), "deleted": count,
            "by": actor_label})
    return count


def operator_label() -> str:
    """Who ran a management command, for audit rows written outside any request."""
    import getpass

    try:
        return f"命令行:{getpass.getuser()}"
    except (KeyError, OSError):
        return "命令行"
