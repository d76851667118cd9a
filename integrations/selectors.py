"""Reads for the outside world: only what the complainant could see on the tracking page."""

from __future__ import annotations

from cases.models import Case, CaseStatus, TimelineEvent

CASE_RELATED = ("mechanism", "category", "lead_unit", "accepting_unit", "channel")

# Open311 knows two states; a case the office has answered or closed is "closed".
CLOSED_STATUSES = frozenset({CaseStatus.SETTLED, CaseStatus.FED_BACK, CaseStatus.FOLLOWED_UP,
                             CaseStatus.ARCHIVED, CaseStatus.GUIDED, CaseStatus.MERGED})


def case_for_key(*, key, number: str) -> Case | None:
    """The case with this number if the key may touch it; None hides whether it exists."""
    case = (Case.objects.select_related(*CASE_RELATED)
            .filter(number=(number or "").strip().upper()).first())
    return case if case is not None and key.may_touch(case) else None


def public_events(case: Case) -> list[TimelineEvent]:
    return list(case.events.filter(is_public=True).exclude(public_text="").order_by("at", "id"))


def status_text(case: Case) -> str:
    """The tracking page's plain-words status, when the portal app provides it."""
    try:
        from forms.tracking import PLAIN_STATUS
    except ImportError:
        return case.get_status_display()
    plain = PLAIN_STATUS.get(case.status, case.get_status_display())
    mechanism = case.mechanism
    return plain.format(forum=mechanism.forum_name, body=mechanism.escalation_body or "上级机构")


def latest_public_text(case: Case) -> str:
    event = (case.events.filter(is_public=True).exclude(public_text="")
             .order_by("-at", "-id").only("public_text").first())
    return event.public_text if event else ""


def responsible_unit_name(case: Case) -> str:
    unit = case.lead_unit or case.accepting_unit
    return unit.name if unit else ""
