"""Deliberations: schedule, pull in the cases due, record attendance and per-case decisions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, CaseStatus, Mechanism, Meeting, MeetingItem
from cases.policy import case_roles
from cases.services.handling import case_record_decision


def _require_office(actor: Actor, mechanism: Mechanism) -> None:
    if "office" not in case_roles(actor, None, mechanism=mechanism):
        raise CaseError("只有机制办公室可以组织会商。")


def _save(obj, actor: Actor, reason: str) -> None:
    obj._history_user = actor.history_user
    obj._change_reason = reason
    obj.save()


@transaction.atomic
def meeting_schedule(*, mechanism: Mechanism, actor: Actor, scheduled_at: datetime, place: str,
                     chair: str, title: str = "", cases: list[Case] = ()) -> Meeting:
    _require_office(actor, mechanism)
    if not place.strip() or not chair.strip():
        raise CaseError("请填写会议地点和主持人。")
    meeting = Meeting(
        mechanism=mechanism, scheduled_at=scheduled_at, place=place.strip(), chair=chair.strip(),
        title=title.strip() or f"{mechanism.region}社会保险费征缴争议{mechanism.forum_name}",
        created_by=actor.history_user,
    )
    _save(meeting, actor, "安排会商")
    meeting_add_cases(meeting=meeting, actor=actor, cases=list(cases))
    return meeting


def cases_due_for_deliberation(mechanism: Mechanism):
    """Escalated cases of the mechanism not yet on an open meeting's agenda, soonest due first."""
    on_agenda = MeetingItem.objects.filter(meeting__status=Meeting.Status.SCHEDULED).values("case_id")
    return (Case.objects.filter(mechanism=mechanism, status=CaseStatus.ESCALATED)
            .exclude(pk__in=on_agenda).order_by("deliberate_due", "accepted_at"))


@transaction.atomic
def meeting_add_cases(*, meeting: Meeting, actor: Actor, cases: list[Case]) -> list[MeetingItem]:
    _require_office(actor, meeting.mechanism)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise CaseError("会议已召开或已取消，不能再增加议题。")
    items = []
    start = meeting.items.count()
    for offset, case in enumerate(cases):
        if case.mechanism_id != meeting.mechanism_id:
            raise CaseError(f"{case.number} 不属于本机制。")
        if case.status not in (CaseStatus.ESCALATED, CaseStatus.REPORTED_UP):
            raise CaseError(f"{case.number} 未提请会商，不能列入议题。")
        if meeting.items.filter(case=case).exists():
            continue
        item = MeetingItem(meeting=meeting, case=case, sort_order=start + offset)
        _save(item, actor, "列入会商议题")
        items.append(item)
    return items


@transaction.atomic
def meeting_record(*, meeting: Meeting, actor: Actor, attendees: str, absentees: str = "",
                   observers: str = "", summary: str = "",
                   decisions: dict[int, str] | None = None) -> Meeting:
    """Record that the meeting was held, who came, and each case's decision (→ case timeline)."""
    _require_office(actor, meeting.mechanism)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise CaseError("会议已取消。")
    if not attendees.strip():
        raise CaseError("请填写出席人员。", field="attendees")
    decisions = decisions or {}
    items = list(meeting.items.select_related("case"))
    missing = [item.case.number for item in items if not decisions.get(item.case_id, "").strip()
               and not item.decision]
    if missing:
        raise CaseError(f"请填写以下事项的会商意见：{'、'.join(missing)}。", field="decisions")
    meeting.attendees, meeting.absentees = attendees.strip(), absentees.strip()
    meeting.observers, meeting.summary = observers.strip(), summary.strip()
    meeting.status = Meeting.Status.HELD
    _save(meeting, actor, "记录会商情况")
    for item in items:
        text = decisions.get(item.case_id, "").strip()
        if not text:
            continue
        item.decision = text
        item.decided_at = timezone.now()
        _save(item, actor, "记录会商意见")
        if item.case.status in (CaseStatus.ESCALATED, CaseStatus.REPORTED_UP):
            case_record_decision(case=item.case, actor=actor, decision=text, meeting=meeting)
    return meeting
