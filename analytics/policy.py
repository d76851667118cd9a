"""Who may see the statistics and warnings (the office and leaders of a mechanism, superusers)
and who may act on them (the office, superusers). Asked by views, services and templates."""

from __future__ import annotations

from django.db.models import QuerySet

from cases.models import Mechanism
from cases.policy import membership


def analytics_mechanisms(user) -> QuerySet[Mechanism]:
    """The active mechanisms whose figures this user may read."""
    m = membership(user)
    mechanisms = Mechanism.objects.filter(is_active=True).order_by("slug")
    if m.is_superuser:
        return mechanisms
    return mechanisms.filter(pk__in=m.office_mechanism_ids | m.leader_mechanism_ids)


def may_view_analytics(user) -> bool:
    m = membership(user)
    return bool(m.is_superuser or m.office_mechanism_ids or m.leader_mechanism_ids)


def may_manage(user, mechanism_id: int) -> bool:
    """Acknowledge warnings, mark typical cases, edit warning rules: the office's work."""
    m = membership(user)
    return bool(m.is_superuser or mechanism_id in m.office_mechanism_ids)
