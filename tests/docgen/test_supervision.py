"""The 通报: periods, and which units' cases ran late in them (clocks, reminders, closed late)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases.calendar import add_workdays, workdays_between
from cases.models import Case
from cases.services import handling
from cases.services.deadlines import deadlines_sweep
from docgen.contexts import context_build
from docgen.errors import DocumentError
from docgen.supervision import period_parse, supervision_rows
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, start, end, label", [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026年10月"),
    ("2026-2", date(2026, 2, 1), date(2026, 2, 28), "2026年2月"),
    ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "2026年12月"),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "2026年第一季度"),
])
def test_periods(text, start, end, label):
    period = period_parse(text)
    assert (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize("text", ["2026", "2026-13", "2026-Q5", "10-2026", ""])
def test_bad_periods_are_refused_in_chinese(text):
    with pytest.raises(DocumentError, match="格式不对"):
        period_parse(text)


def test_a_future_period_is_refused(gaoping):
    with pytest.raises(DocumentError, match="尚未开始"):
        supervision_rows(mechanism=gaoping, period=period_parse("2026-12"), today=date(2026, 11, 22))


def test_units_with_overdue_cases_in_the_period(records, register):
    mechanism = records.mechanism
    period = period_parse(records.period)
    today = timezone.localdate()
    as_of = min(period.end, today)
    overdue = Case.objects.get(mechanism=mechanism, accepted_at__date__lt=period.end + timedelta(days=1),
                               accepted_at__date__gte=period.start)
    # a case settled late in the period by the tax bureau, recorded by the sweep's reminder
    late = register(mechanism, records.handler, accepted_at=overdue.accepted_at)
    late = handling.case_transfer(case=late, actor=records.handler,
                                  lead_unit=mechanism.units.get(code="tax"))
    due = add_workdays(period.start, 2)
    settled_on = add_workdays(due, 3)
    tz = ZoneInfo("Asia/Shanghai")
    Case.objects.filter(pk=late.pk).update(
        status="settled", settle_due=due, settled_by_unit=mechanism.units.get(code="tax"),
        settled_at=datetime.combine(settled_on, datetime.min.time(), tz).replace(hour=10),
        due_date=None, running_stage="")
    # cases due before the period and settled before it started are not the period's
    Case.objects.filter(pk=register(mechanism, records.clerk).pk).update(
        status="settled", settle_due=period.start - timedelta(days=20),
        settled_at=at(f"{period.start - timedelta(days=10):%Y-%m-%d} 10:00"))

    rows, cut_off = supervision_rows(mechanism=mechanism, period=period)
    assert cut_off == as_of
    by_unit = {row["unit"]: row for row in rows}
    petition = by_unit[mechanism.units.get(code="petition").name]  # 信访 accepted, never transferred
    assert petition["overdue_count"] == 1 and petition["cases"] == overdue.number
    assert petition["oldest_days"] == workdays_between(overdue.due_date, as_of)
    tax = by_unit[mechanism.units.get(code="tax").name]
    assert tax == {"unit": tax["unit"], "overdue_count": 1, "oldest_days": 3, "cases": late.number}
    assert len(rows) == 2

    # the sweep's reminder for the open case does not count it twice
    deadlines_sweep(today=as_of)
    again, _ = supervision_rows(mechanism=mechanism, period=period)
    assert {r["unit"]: r["overdue_count"] for r in again} == {r["unit"]: r["overdue_count"] for r in rows}

    ctx = context_build(kind="supervision_notice", mechanism=mechanism, period=records.period)
    assert ctx["period_label"] == period.label and ctx["rows"] == rows
    assert ctx["recipient"] == f"{mechanism.coordinating_body}各成员单位"
    assert ctx["issuer"].endswith("文件")


def test_a_period_with_nothing_overdue_gives_an_empty_table(gaoping):
    rows, _ = supervision_rows(mechanism=gaoping, period=period_parse("2026-Q1"))
    assert rows == []
