"""Stage clocks: due dates in working days from the tier's configuration, stored on the case."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Sum

from cases.calendar import add_workdays, is_workday, span_is_provisional, workdays_between
from cases.confcache import cached
from cases.localtime import local_date
from cases.models import Case, DeadlineState, Extension, Tier, TierDeadline
from cases.workflow import RUNNING_STAGE

START_FIELD = {
    "accepted": "accepted_at",
    "transferred": "transferred_at",
    "received": "received_at",
    "escalated": "escalated_at",
    "settled": "settled_at",
}
DUE_FIELD = {
    "transfer": "transfer_due",
    "settle": "settle_due",
    "deliberate": "deliberate_due",
    "feedback": "feedback_due",
}
CLOCK_FIELDS = [*DUE_FIELD.values(), "running_stage", "due_date", "warn_date", "due_provisional"]


def default_tier(mechanism) -> Tier | None:
    """Whatever cannot be settled on the spot is, until classified, handled by the lead unit."""
    def find() -> Tier | None:
        tiers = list(mechanism.tiers.all())
        return next((t for t in tiers if t.route == Tier.Route.LEAD_UNIT),
                    tiers[0] if tiers else None)

    return cached(("default_tier", mechanism.pk), find) if mechanism.pk else find()


def tier_deadlines(tier_id: int) -> list[TierDeadline]:
    return cached(("tier_deadlines", tier_id),
                  lambda: list(TierDeadline.objects.filter(tier_id=tier_id)))


def workdays_before(day: date, n: int) -> date:
    """The working day n working days before `day` (n ≥ 0; n == 0 returns `day`)."""
    current = day
    while n > 0:
        current -= timedelta(days=1)
        if is_workday(current):
            n -= 1
    return current


def approved_extension_days(case: Case) -> dict[str, int]:
    if not case.pk:
        return {}
    rows = (Extension.objects.filter(case=case, status=Extension.Status.APPROVED)
            .values("stage").annotate(days=Sum("workdays")))
    return {row["stage"]: row["days"] for row in rows}


def clocks_apply(case: Case, *, deadlines: list[TierDeadline] | None = None,
                 extensions: dict[str, int] | None = None) -> None:
    """Recompute every stage due date and the running clock on `case` (the caller saves it)."""
    if deadlines is None:
        deadlines = tier_deadlines(case.tier_id) if case.tier_id else []
    if extensions is None:
        extensions = approved_extension_days(case)
    for field in DUE_FIELD.values():
        setattr(case, field, None)
    starts: dict[str, date] = {}
    warn_before: dict[str, int] = {}
    for deadline in deadlines:
        started = getattr(case, START_FIELD[deadline.starts_from])
        if started is None:
            continue
        start = local_date(started)
        days = deadline.workdays + extensions.get(deadline.stage, 0)
        setattr(case, DUE_FIELD[deadline.stage], add_workdays(start, days))
        starts[deadline.stage] = start
        warn_before[deadline.stage] = deadline.warn_before
    stage = RUNNING_STAGE.get(case.status, "")
    due = getattr(case, DUE_FIELD[stage]) if stage else None
    case.running_stage = stage if due else ""
    case.due_date = due
    case.warn_date = workdays_before(due, warn_before[stage]) if due else None
    case.due_provisional = bool(due) and span_is_provisional(starts[stage], due)


def clock_state(case: Case, today: date | None = None) -> tuple[str, int | None]:
    """(DeadlineState, working days left — negative when overdue) of the running clock."""
    if not case.due_date:
        return DeadlineState.NONE, None
    today = today or local_date()
    left = workdays_between(today, case.due_date)
    if today > case.due_date:
        return DeadlineState.OVERDUE, left
    if case.warn_date and today >= case.warn_date:
        return DeadlineState.WARNED, left
    return DeadlineState.NORMAL, left


def clock_label(case: Case, today: date | None = None) -> str:
    state, left = clock_state(case, today)
    if state == DeadlineState.NONE:
        return "—"
    stage = case.get_running_stage_display()
    suffix = "（日历未录入，仅供参考）" if case.due_provisional else ""
    if state == DeadlineState.OVERDUE:
        return f"{stage}已超期 {-left} 个工作日{suffix}"
    if left == 0:
        return f"{stage}今日到期{suffix}"
    return f"{stage}剩余 {left} 个工作日（{case.due_date:%m月%d日}）{suffix}"
