"""Reads for pages and panels: warnings, typical cases. Each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, F, Q

from analytics.models import TypicalCase, Warning
from analytics.periods import Period
from analytics.policy import analytics_mechanisms
from cases.models import Case


def warnings_for_case(case: Case) -> list[Warning]:
    """The warnings naming this case: open ones first, newest first (1 query)."""
    return list(case.analytics_warnings.select_related("rule", "acknowledged_by")
                .order_by(F("acknowledged_at").asc(nulls_first=True), "-created_at", "-pk"))


def warnings_visible(user, *, mechanism=None, state: str = "open"):
    """Warnings of the mechanisms the user may read; state "open", "done" or "all"."""
    queryset = (Warning.objects.filter(mechanism__in=analytics_mechanisms(user))
                .select_related("mechanism", "rule", "acknowledged_by")
                .annotate(case_count=Count("cases")))
    if mechanism is not None:
        queryset = queryset.filter(mechanism=mechanism)
    if state == "open":
        queryset = queryset.filter(acknowledged_at=None)
    elif state == "done":
        queryset = queryset.exclude(acknowledged_at=None)
    return queryset.order_by("-created_at", "-pk")


def open_warnings_panel(user, *, limit: int = 8) -> list[dict]:
    """Per mechanism the user may read: open warnings counted, the newest listed (2 queries
    plus one per mechanism)."""
    mechanisms = list(analytics_mechanisms(user))
    counts = dict(Warning.objects.filter(mechanism__in=mechanisms, acknowledged_at=None)
                  .values_list("mechanism").annotate(n=Count("pk")).order_by())
    panels = []
    for mechanism in mechanisms:
        latest = list(Warning.objects.filter(mechanism=mechanism, acknowledged_at=None)
                      .select_related("rule").order_by("-created_at", "-pk")[:limit])
        panels.append({"mechanism": mechanism, "open": counts.get(mechanism.pk, 0),
                       "latest": latest})
    return panels


def typical_cases_in(*, mechanism, period: Period) -> list[TypicalCase]:
    """Typical cases of the cases accepted in the period, in acceptance order."""
    start, end = period.bounds
    return list(TypicalCase.objects.filter(case__mechanism=mechanism, case__accepted_at__gte=start,
                                           case__accepted_at__lt=end)
                .select_related("case__category", "case__tier", "case__channel", "marked_by")
                .order_by("case__accepted_at", "case__pk"))


def typical_cases_visible(user, *, mechanism=None):
    queryset = TypicalCase.objects.filter(case__mechanism__in=analytics_mechanisms(user))
    if mechanism is not None:
        queryset = queryset.filter(case__mechanism=mechanism)
    return (queryset.select_related("case__mechanism", "case__category", "marked_by")
            .order_by("-marked_at", "-pk"))


def warning_counts(mechanism) -> dict[str, int]:
    return Warning.objects.filter(mechanism=mechanism).aggregate(
        open=Count("pk", filter=Q(acknowledged_at=None)),
        done=Count("pk", filter=Q(acknowledged_at__isnull=False)))
