"""Reads that need care: each returns what a page shows, in a fixed number of queries."""

from django.db.models import Prefetch

from cases.models import Channel, Mechanism


def public_channels_by_mechanism() -> list[Mechanism]:
    """Active mechanisms with their public, active channels prefetched (2 queries)."""
    channels = Channel.objects.filter(is_active=True, is_public=True).order_by("sort_order", "id")
    return list(
        Mechanism.objects.filter(is_active=True)
        .order_by("slug")
        .prefetch_related(Prefetch("channels", queryset=channels, to_attr="public_channels"))
    )


def possible_duplicates(*, mechanism, complainant_id_number: str = "", complainant_phone: str = "",
                        employer_credit_code: str = "", category=None, exclude_pk: int | None = None,
                        within_days: int = 30, limit: int = 10):
    """Earlier cases of the same complainant (any time), or of the same employer and category
    within `within_days` — shown to the clerk on registration to link or merge."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from cases.identity import looks_like_mobile, normalize_mobile
    from cases.models import Case
    from security.crypto import blind_index

    condition = Q(pk__in=[])
    # Encrypted columns: compare keyed hashes of the normalised values.
    if complainant_id_number:
        condition |= Q(complainant_id_number_hash=blind_index(complainant_id_number))
    if complainant_phone:
        if looks_like_mobile(complainant_phone):  # stored as 11 digits, whatever was typed
            complainant_phone = normalize_mobile(complainant_phone)
        condition |= Q(complainant_phone_hash=blind_index(complainant_phone))
    if employer_credit_code and category is not None:
        since = timezone.now() - timedelta(days=within_days)
        condition |= Q(employer_credit_code=employer_credit_code, category=category,
                       accepted_at__gte=since)
    queryset = (Case.objects.filter(condition, mechanism=mechanism)
                .select_related("category", "lead_unit").order_by("-accepted_at"))
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return list(queryset[:limit])


def unit_dashboard(user, *, today=None) -> list[dict]:
    """Per unit the user staffs: awaiting sign-for, due today, warned, overdue, and the most
    urgent open cases. A fixed number of queries per unit."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from cases.models import Case, CaseStatus, Unit
    from cases.policy import membership
    from cases.workflow import OPEN_STATUSES

    today = today or timezone.localdate()
    units = Unit.objects.filter(pk__in=membership(user).unit_ids, is_office=False).select_related("mechanism")
    panels = []
    for unit in units:
        mine = Case.objects.filter(Q(lead_unit=unit) | Q(accepting_unit=unit), status__in=OPEN_STATUSES)
        counts = mine.aggregate(
            awaiting=Count("pk", filter=Q(status=CaseStatus.TRANSFERRED, lead_unit=unit)),
            due_today=Count("pk", filter=Q(due_date=today)),
            warned=Count("pk", filter=Q(warn_date__lte=today, due_date__gt=today)),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
        )
        urgent = list(mine.exclude(due_date=None).select_related("category").order_by("due_date")[:8])
        panels.append({"unit": unit, "counts": counts, "urgent": urgent})
    return panels


def office_dashboard(user, *, today=None) -> list[dict]:
    """Per mechanism the user's office runs: every unit's open, warned and overdue counts, the
    meetings scheduled and the cases waiting for deliberation."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from cases.models import Case, Mechanism, Meeting
    from cases.policy import membership
    from cases.services.meetings import cases_due_for_deliberation
    from cases.workflow import OPEN_STATUSES

    today = today or timezone.localdate()
    m = membership(user)
    mechanisms = Mechanism.objects.filter(is_active=True)
    if not m.is_superuser:
        mechanisms = mechanisms.filter(pk__in=m.office_mechanism_ids | m.leader_mechanism_ids)
    panels = []
    for mechanism in mechanisms.order_by("slug"):
        rows = (Case.objects.filter(mechanism=mechanism, status__in=OPEN_STATUSES)
                .values("lead_unit__short_name")
                .annotate(open=Count("pk"), warned=Count("pk", filter=Q(warn_date__lte=today, due_date__gte=today)),
                          overdue=Count("pk", filter=Q(due_date__lt=today)))
                .order_by("-overdue", "-open"))
        meetings = list(Meeting.objects.filter(mechanism=mechanism, status=Meeting.Status.SCHEDULED)
                        .order_by("scheduled_at")[:5])
        panels.append({"mechanism": mechanism, "rows": list(rows), "meetings": meetings,
                       "awaiting_deliberation": cases_due_for_deliberation(mechanism).count()})
    return panels
