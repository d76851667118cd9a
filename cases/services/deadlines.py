"""The deadline sweep (临期提醒、超期催办) and recomputation after calendar changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.actors import Actor
from cases.clocks import CLOCK_FIELDS, clocks_apply
from cases.models import Case, Reminder, TimelineEvent
from cases.services.core import save_with_history
from cases.workflow import OPEN_STATUSES

SWEEP_ACTOR = Actor.system("期限巡检")


@dataclass
class SweepResult:
    warnings: int = 0
    overdue: int = 0

    def summary(self, today: date) -> str:
        return f"{today:%Y-%m-%d} 期限巡检完成：新增临期提醒 {self.warnings} 件，超期催办 {self.overdue} 件。"


def responsible_unit(case: Case):
    """Who is reminded: the accepting unit transfers and feeds back, the lead unit settles,
    the office convenes the deliberation."""
    if case.running_stage in ("transfer", "feedback"):
        return case.accepting_unit
    if case.running_stage == "deliberate":
        return case.mechanism.office_unit
    return case.lead_unit or case.accepting_unit


@transaction.atomic
def deadlines_sweep(*, today: date | None = None, batch: int = 2000) -> SweepResult:
    """Record one reminder per case, stage, level and due date. Running it twice adds nothing."""
    today = today or timezone.localdate()
    result = SweepResult()
    due = (Case.objects.filter(status__in=OPEN_STATUSES, warn_date__lte=today)
           .exclude(due_date=None)
           .select_related("mechanism", "accepting_unit", "lead_unit")
           .order_by("pk"))
    for case in due.iterator(chunk_size=batch):
        level = Reminder.Level.OVERDUE if today > case.due_date else Reminder.Level.WARNING
        unit = responsible_unit(case)
        reminder, created = Reminder.objects.get_or_create(
            case=case, stage=case.running_stage, level=level, due_date=case.due_date,
            defaults={"unit": unit},
        )
        if not created:
            continue
        if level == Reminder.Level.OVERDUE:
            result.overdue += 1
            text = f"{case.get_running_stage_display()}已超期（期限 {case.due_date:%Y-%m-%d}），催办{unit.name}"
        else:
            result.warnings += 1
            text = f"{case.get_running_stage_display()}将于 {case.due_date:%Y-%m-%d} 到期，提醒{unit.name}"
        TimelineEvent.objects.create(
            case=case, at=timezone.now(), action="remind", actor=None,
            actor_label=SWEEP_ACTOR.label, unit=unit, from_status=case.status,
            to_status=case.status, note=text, data={"reminder": reminder.pk, "level": level},
        )
    return result


def clocks_recompute_for_years(*, years: set[int], user=None) -> int:
    """After a year calendar changes, recompute open cases whose clocks may cross those years."""
    if not years:
        return 0
    actor = Actor.staff(user) if user is not None else Actor.system("工作日历调整")
    first = date(min(years) - 1, 12, 1)
    changed = 0
    touches = Q(due_date__gte=first) | Q(accepted_at__date__gte=first) | Q(due_date=None)
    cases = (Case.objects.filter(touches, status__in=OPEN_STATUSES)
             .select_related("tier", "mechanism").order_by("pk"))
    for case in cases.iterator(chunk_size=1000):
        before = [getattr(case, f) for f in CLOCK_FIELDS]
        clocks_apply(case)
        if [getattr(case, f) for f in CLOCK_FIELDS] != before:
            save_with_history(case, actor=actor, reason="工作日历调整，重算办理期限")
            changed += 1
    return changed
