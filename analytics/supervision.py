"""Read side: supervision (督办) figures — overdue open cases by the unit whose clock runs,
stages closed late in the period, reminders sent — and the period's warnings."""

from __future__ import annotations

from datetime import date

from django.db.models import BigIntegerField, Count, F, Min, Q, Value, When
from django.db.models import Case as Switch
from django.db.models.functions import Coalesce

from analytics.dbfunctions import LocalDate
from analytics.models import Warning
from analytics.periods import Period
from analytics.statistics import TOP_ROWS, Table
from cases.calendar import workdays_between
from cases.models import Case, Mechanism, Reminder, Stage, Unit
from cases.workflow import OPEN_STATUSES

STAGE_LABELS = dict(Stage.choices)


def responsible_unit_expression(office_id: int | None):
    """cases.services.deadlines.responsible_unit, in SQL: the accepting unit transfers and
    feeds back, the office convenes the deliberation, the lead unit settles."""
    return Switch(
        When(running_stage__in=[Stage.TRANSFER, Stage.FEEDBACK], then=F("accepting_unit_id")),
        When(running_stage=Stage.DELIBERATE, then=Value(office_id)),
        default=Coalesce(F("lead_unit_id"), F("accepting_unit_id")),
        output_field=BigIntegerField(),
    )


def overdue_open(mechanism: Mechanism, today: date):
    office = mechanism.units.filter(is_office=True).values_list("pk", flat=True).first()
    return (Case.objects.filter(mechanism=mechanism, status__in=OPEN_STATUSES, due_date__lt=today)
            .annotate(unit=responsible_unit_expression(office)))


def _late_closures(mechanism: Mechanism, period: Period) -> dict[int, int]:
    """Stages completed in the period after their due date, per responsible unit: one query
    per stage, each a range of its own (mechanism, completed) index with the columns it needs."""
    start, end = period.bounds
    late: dict[int, int] = {}
    for done, due, unit in (("transferred_at", "transfer_due", F("accepting_unit")),
                            ("settled_at", "settle_due", Coalesce("settled_by_unit", "lead_unit")),
                            ("fed_back_at", "feedback_due", F("accepting_unit"))):
        rows = (Case.objects.filter(mechanism=mechanism, **{f"{done}__gte": start,
                                                            f"{done}__lt": end,
                                                            f"{due}__lt": LocalDate(done)})
                .annotate(unit=unit).values_list("unit").annotate(n=Count(done)).order_by())
        for unit_id, n in rows:
            if unit_id is not None:
                late[unit_id] = late.get(unit_id, 0) + n
    return late


def supervision_tables(*, mechanism: Mechanism, period: Period, today: date,
                       units: dict[int, Unit]) -> list[Table]:
    overdue = overdue_open(mechanism, today)
    open_rows = {u: (n, oldest) for u, n, oldest in overdue.values_list("unit").annotate(
        n=Count("pk"), oldest=Min("due_date")).order_by()}
    late = _late_closures(mechanism, period)
    start, end = period.bounds
    reminders = {u: (w, o) for u, w, o in Reminder.objects.filter(
        case__mechanism=mechanism, created_at__gte=start, created_at__lt=end)
        .values_list("unit").annotate(w=Count("pk", filter=Q(level=Reminder.Level.WARNING)),
                                      o=Count("pk", filter=Q(level=Reminder.Level.OVERDUE)))
        .order_by()}
    rows = []
    for pk, unit in units.items():
        n, oldest = open_rows.get(pk, (0, None))
        warned, pressed = reminders.get(pk, (0, 0))
        if n or late.get(pk) or warned or pressed:
            rows.append([unit.name, n, workdays_between(oldest, today) if oldest else 0,
                         late.get(pk, 0), warned, pressed])
    rows.sort(key=lambda r: (-r[1], -r[2], -r[3]))
    summary = Table(
        "supervision", "督办情况", ["单位", "在办超期件数", "最长超期（工作日）", "本期逾期完成环节",
                                    "本期临期提醒", "本期超期催办"], rows,
        note=f"在办超期为截至{today.year}年{today.month}月{today.day}日的状态，按当前计时环节的责任单位"
             "统计；逾期完成环节指本期内完成、但晚于期限的转办、办结、反馈。")
    listed = []
    for number, unit_id, stage, due in (overdue.order_by("due_date", "pk")
                                        .values_list("number", "unit", "running_stage",
                                                     "due_date")[:TOP_ROWS]):
        unit = units.get(unit_id)
        listed.append([number, unit.name if unit else "", STAGE_LABELS.get(stage, stage),
                       due.isoformat(), workdays_between(due, today)])
    cases = Table("overdue_cases", "超期在办事项", ["受理编号", "责任单位", "环节", "期限",
                                                    "已超期（工作日）"], listed,
                  note=f"按期限先后列出前 {TOP_ROWS} 件。")
    return [summary, cases]


def warnings_table(*, mechanism: Mechanism, period: Period) -> Table:
    start, end = period.bounds
    rows = [[name or kind, n, acked, n - acked] for name, kind, n, acked in
            Warning.objects.filter(mechanism=mechanism, created_at__gte=start, created_at__lt=end)
            .values_list("rule__name", "rule__kind")
            .annotate(n=Count("pk"), acked=Count("pk", filter=Q(acknowledged_at__isnull=False)))
            .order_by("rule__name")]
    return Table("warnings", "风险预警", ["预警规则", "预警次数", "已处理", "未处理"], rows,
                 note="按预警产生时间统计。")
