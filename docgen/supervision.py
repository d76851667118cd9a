"""The 通报's table: which units let which cases run past their deadline in a period.

Three sources, merged per unit and case (the longest overdue span wins):
- clocks: open cases whose running deadline passed before the cut-off date;
- reminders: the sweep's 超期催办 rows, for stages completed late (or not yet);
- closed late: settlement or feedback recorded after its stored deadline, even unswept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Min, Q
from django.utils import timezone

from cases.calendar import workdays_between
from cases.models import Case, CaseStatus, Mechanism, Reminder, TimelineEvent, Unit
from cases.services.deadlines import responsible_unit
from cases.workflow import OPEN_STATUSES
from docgen.errors import DocumentError
from docgen.render import cn_number

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date  # last day, inclusive
    label: str


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_parse(text: str) -> Period:
    """"2026-10" → 2026年10月; "2026-Q3" → 2026年第三季度."""
    text = (text or "").strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return Period(f"{year}-{month:02d}", date(year, month, 1), _month_end(year, month),
                          f"{year}年{month}月")
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        first = 3 * quarter - 2
        return Period(f"{year}-Q{quarter}", date(year, first, 1), _month_end(year, first + 2),
                      f"{year}年第{cn_number(quarter)}季度")
    raise DocumentError(f"通报期间“{text}”格式不对：请写成 2026-10（月）或 2026-Q3（季度）。",
                        field="period")


def _local(value) -> date | None:
    return timezone.localdate(value) if value else None


def supervision_rows(*, mechanism: Mechanism, period: Period,
                     today: date | None = None) -> tuple[list[dict], date]:
    """(rows for the 通报 table, the cut-off date). Rows: unit, overdue_count, oldest_days, cases."""
    today = today or timezone.localdate()
    if period.start > today:
        raise DocumentError(f"{period.label}尚未开始，不能通报。", field="period")
    as_of = min(period.end, today)
    late: dict[tuple[int, int], int] = {}  # (unit, case) → working days overdue
    numbers: dict[int, str] = {}

    def note(unit_id, case: Case, due: date, done: date | None) -> None:
        if unit_id is None or due >= as_of or (done is not None and (done <= due or done < period.start)):
            return
        days = workdays_between(due, min(done or as_of, as_of))
        if days > 0:
            numbers[case.pk] = case.number
            late[(unit_id, case.pk)] = max(days, late.get((unit_id, case.pk), 0))

    base = Case.objects.filter(mechanism=mechanism).exclude(status=CaseStatus.MERGED)
    open_cases = (base.filter(status__in=OPEN_STATUSES, due_date__lt=as_of)
                  .select_related("mechanism", "accepting_unit", "lead_unit"))
    for case in open_cases:
        unit = responsible_unit(case)
        note(unit.pk if unit else None, case, case.due_date, None)

    reminders = list(Reminder.objects.filter(case__in=base, level=Reminder.Level.OVERDUE,
                                             due_date__lt=as_of).select_related("case"))
    decided = dict(TimelineEvent.objects.filter(case_id__in={r.case_id for r in reminders},
                                                action="record_decision")
                   .values_list("case_id").annotate(first=Min("at")))
    for reminder in reminders:
        case = reminder.case
        done = {"transfer": _local(case.transferred_at), "settle": _local(case.settled_at),
                "feedback": _local(case.fed_back_at),
                "deliberate": _local(decided.get(case.pk))}.get(reminder.stage)
        note(reminder.unit_id, case, reminder.due_date, done)

    closed = base.filter(Q(settled_at__isnull=False, settle_due__lt=as_of)
                         | Q(fed_back_at__isnull=False, feedback_due__lt=as_of))
    for case in closed:
        if case.settle_due and case.settled_at:
            note(case.settled_by_unit_id or case.lead_unit_id, case, case.settle_due,
                 _local(case.settled_at))
        if case.feedback_due and case.fed_back_at:
            note(case.accepting_unit_id, case, case.feedback_due, _local(case.fed_back_at))

    units = Unit.objects.in_bulk({unit_id for unit_id, _ in late})
    grouped: dict[int, list[tuple[int, int]]] = {}
    for (unit_id, case_id), days in late.items():
        grouped.setdefault(unit_id, []).append((case_id, days))
    rows = [{
        "unit": units[unit_id].name,
        "overdue_count": len(items),
        "oldest_days": max(days for _, days in items),
        "cases": "、".join(sorted(numbers[case_id] for case_id, _ in items)),
        "_order": units[unit_id].sort_order,
    } for unit_id, items in grouped.items()]
    rows.sort(key=lambda r: (-r["overdue_count"], -r["oldest_days"], r["_order"]))
    for row in rows:
        del row["_order"]
    return rows, as_of
