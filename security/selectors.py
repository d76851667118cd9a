"""Reads: who may see the audit trail and reveal personal data, and what they see."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.policy import membership
from security.models import AuditEvent

REVEAL_PERMISSION = "security.reveal_personal_data"
AUDIT_VIEW_PERMISSION = "security.view_auditevent"


def personal_data_may_reveal(user) -> bool:
    """Superusers always; others only through a group or user permission (has_perm is cached)."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and (user.is_superuser or user.has_perm(REVEAL_PERMISSION)))


def audit_may_view(user) -> bool:
    """The office of a mechanism, an auditor holding view_auditevent (审计管理员), superusers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    m = membership(user)
    return bool(m.is_superuser or m.office_mechanism_ids or user.has_perm(AUDIT_VIEW_PERMISSION))


def audit_events_visible(user) -> QuerySet[AuditEvent]:
    """Superusers and auditors see everything; an office sees its own mechanisms' events."""
    queryset = AuditEvent.objects.select_related("target_type", "mechanism")
    if not audit_may_view(user):
        return queryset.none()
    m = membership(user)
    if m.is_superuser or user.has_perm(AUDIT_VIEW_PERMISSION):
        return queryset
    return queryset.filter(mechanism_id__in=m.office_mechanism_ids)
