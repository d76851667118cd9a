"""Every figure of the statistics against a count made independently, in plain Python, over
the known dataset — and the vectorised working days against cases.calendar."""

import math
import random
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest
from django.utils import timezone

from analytics.dbfunctions import EpochDay, LocalDate
from analytics.periods import PeriodError, period_parse, period_range
from analytics.statistics import figures_compute
from analytics.workdays import nearest_rank, workday_counts
from cases.calendar import workdays_between
from cases.models import Case, CaseStatus, Reminder
from cases.services.deadlines import responsible_unit
from cases.workflow import OPEN_STATUSES
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db


def local(value):
    return timezone.localdate(value) if value else None


# --- working days -------------------------------------------------------------------------


def test_workday_counts_equal_workdays_between_across_holidays_and_makeup_days():
    rng = random.Random(11)
    days = [date(2024, 9, 1) + timedelta(days=rng.randrange(800)) for _ in range(400)]
    starts = days[:200]
    ends = [s + timedelta(days=rng.randrange(-20, 60)) for s in starts]
    got = workday_counts(np.array(starts, dtype="datetime64[D]"), np.array(ends, dtype="datetime64[D]"))
    assert list(got) == [workdays_between(a, b) for a, b in zip(starts, ends, strict=True)]


@pytest.mark.parametrize("start,end,expected", [
    (date(2025, 9, 30), date(2025, 10, 9), 1),   # 国庆+中秋 10-01..10-08 off
    (date(2025, 10, 10), date(2025, 10, 11), 1),  # Saturday 10-11 is a 调休 working day
    (date(2025, 9, 30), date(2025, 10, 17), 8),
    (date(2026, 2, 13), date(2026, 2, 24), 2),    # 春节 2026: 02-14 调休 worked, 02-15..23 off
    (date(2025, 7, 1), date(2025, 7, 1), 0),
    (date(2025, 7, 3), date(2025, 7, 1), -2),
])
def test_workday_counts_known_spans(start, end, expected):
    assert workdays_between(start, end) == expected
    got = workday_counts(np.array([start], dtype="datetime64[D]"), np.array([end], dtype="datetime64[D]"))
    assert int(got[0]) == expected


def test_local_dates_in_sql_use_beijing_time(gaoping, staff, register):
    from cases.actors import Actor

    clerk = Actor.staff(staff(gaoping, "petition"))
    # 23:30 in Shanghai is 15:30 UTC: still the 30th locally; 00:10 is the 1st, 16:10 UTC before.
    late = register(gaoping, clerk, accepted_at=at("2025-09-30 23:30"))
    early = register(gaoping, clerk, accepted_at=at("2025-10-01 00:10"))
    got = dict(Case.objects.values_list("pk", LocalDate("accepted_at")))
    assert (got[late.pk], got[early.pk]) == (date(2025, 9, 30), date(2025, 10, 1))
    days = dict(Case.objects.values_list("pk", EpochDay("accepted_at")))
    assert days[early.pk] - days[late.pk] == 1
    assert days[late.pk] == (date(2025, 9, 30) - date(1970, 1, 1)).days
    assert Case.objects.filter(transfer_due__gte=LocalDate("accepted_at")).count() == 2


def test_nearest_rank_is_an_observed_value():
    assert nearest_rank(np.array([0, 1, 2]), 90) == 2
    assert nearest_rank(np.array(range(1, 11)), 90) == 9
    # weighted: 0 ×5, 3 ×4, 7 ×1 is [0,0,0,0,0,3,3,3,3,7]; the 9th smallest is 3
    assert nearest_rank(np.array([7, 0, 3]), 90, weights=np.array([1, 5, 4])) == 3
    assert nearest_rank(np.array([7, 0, 3]), 100, weights=np.array([1, 5, 4])) == 7


# --- periods --------------------------------------------------------------------------------


def test_periods_parse_month_quarter_year_and_range():
    q3 = period_parse("2026-Q3")
    assert (q3.start, q3.end, q3.label) == (date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度")
    assert period_parse("2026-02").end == date(2026, 2, 28)
    assert period_parse("2024-2").label == "2024年2月"
    assert (period_parse("2026").start, period_parse("2026").end) == (date(2026, 1, 1), date(2026, 12, 31))
    custom = period_parse("2026-07-01..2026-08-15")
    assert custom.label == "2026年7月1日至2026年8月15日"
    assert [label for label, _, _ in custom.months()] == ["2026年7月", "2026年8月"]
    low, high = q3.bounds
    assert (timezone.localtime(low).hour, local(low), local(high)) == (0, date(2026, 7, 1), date(2026, 10, 1))
    for bad in ("2026-13", "2026-Q5", "明年", "2026-09-01..2026-08-01"):
        with pytest.raises(PeriodError):
            period_parse(bad)
    with pytest.raises(PeriodError):
        period_range(date(2020, 1, 1), date(2026, 1, 1))


# --- the figures ----------------------------------------------------------------------------


def rows(figures, key):
    return figures.table(key).rows


def test_known_quarter_by_hand(dataset):
    """The dataset's docstring, figure by figure."""
    f = figures_compute(mechanism=dataset.mechanism, period=period_parse("2025-Q3"),
                        today=dataset.today)
    assert f.total == 4
    assert rows(f, "month") == [["2025年7月", 1], ["2025年8月", 1], ["2025年9月", 2]]
    assert {r[0]: r[1] for r in rows(f, "category") if r[1]} == {
        "社会保险费缴费金额": 1, "滞纳金加收": 2, "其他": 1}
    assert {r[0]: r[1:] for r in rows(f, "unit")} == {
        "高平市社会保险费征缴争议处置工作专班办公室": [1, 1], "国家税务总局高平市税务局": [1, 2],
        "高平市人力资源和社会保障局": [0, 1], "高平市信访局": [2, 0]}
    assert {r[0]: r[1] for r in rows(f, "status")} == {"办理中": 1, "已反馈": 1, "已回访": 2}
    durations = {r[0]: r[1:] for r in rows(f, "durations")}
    assert durations["受理至转办"] == [3, 1.0, 2, 2]          # C 2, A 1 (across 国庆), B 0
    assert durations["受理至办结"] == [3, 3.3, 8, 8]          # A 8, B 2, D 0
    assert durations["受理至反馈"] == [3, 4.0, 9, 9]          # A 9, B 3, D 0
    on_time = {(r[0], r[1]): r[2:] for r in rows(f, "on_time")}
    assert on_time[("高平市信访局", "转办")] == [2, 1, 0.5]     # A on time, C late
    assert on_time[("国家税务总局高平市税务局", "转办")] == [1, 1, 1.0]
    assert on_time[("国家税务总局高平市税务局", "办结")] == [2, 1, 0.5]  # A late, B on time
    assert on_time[("合计", "办结")] == [2, 1, 0.5]
    assert [r[:2] for r in rows(f, "satisfaction")] == [
        ["满意", 1], ["基本满意", 0], ["不满意", 1], ["已反馈未评价", 1]]
    assert [r[2] for r in rows(f, "repeat")] == [2]
    assert "王建国" not in str(rows(f, "repeat")) and rows(f, "repeat")[0][0] == "王**"
    assert [(r[1], r[2]) for r in rows(f, "employers")] == [(dataset.a.employer_credit_code, 2),
                                                             (dataset.c.employer_credit_code, 1)]
    supervision = {r[0]: r[1:] for r in rows(f, "supervision")}
    overdue_days = workdays_between(date(2025, 8, 26), dataset.today)
    assert supervision["高平市人力资源和社会保障局"] == [1, overdue_days, 0, 0, 1]
    # E and F (other quarters) still wait for transfer: open overdue is today's state.
    assert supervision["高平市信访局"] == [2, workdays_between(date(2025, 7, 1), dataset.today),
                                       1, 1, 0]  # C transferred late; 临期提醒 on 08-18
    assert [r[0] for r in rows(f, "overdue_cases")] == [dataset.e.number, dataset.c.number,
                                                        dataset.f.number]
    assert rows(f, "overdue_cases")[1] == [dataset.c.number, "高平市人力资源和社会保障局", "办结",
                                           "2025-08-26", overdue_days]


def independent(mechanism, period, today) -> dict:
    """The same figures from Case objects and plain loops: no SQL aggregation, no numpy."""
    cases = [c for c in Case.objects.filter(mechanism=mechanism).select_related(
        "category", "channel", "tier", "accepting_unit", "lead_unit", "settled_by_unit", "mechanism")
        if period.start <= local(c.accepted_at) <= period.end]
    out = {"total": len(cases)}
    out["month"] = Counter(f"{local(c.accepted_at).year}年{local(c.accepted_at).month}月" for c in cases)
    out["category"] = Counter(c.category.name for c in cases)
    out["channel"] = Counter(c.channel.name for c in cases)
    out["tier"] = Counter(c.tier.name if c.tier else "未分级" for c in cases)
    out["status"] = Counter(c.get_status_display() for c in cases)
    out["accepted"] = Counter(c.accepting_unit.name for c in cases)
    out["led"] = Counter(c.lead_unit.name if c.lead_unit else "（尚未转办）" for c in cases)
    for label, field in (("受理至转办", "transferred_at"), ("受理至办结", "settled_at"),
                         ("受理至反馈", "fed_back_at")):
        days = sorted(workdays_between(local(c.accepted_at), local(getattr(c, field)))
                      for c in cases if getattr(c, field))
        out[label] = [len(days), round(sum(days) / len(days), 1),
                      days[math.ceil(0.9 * len(days)) - 1], days[-1]] if days else [0, None, None, None]
    on_time = Counter()
    for c in cases:
        if c.transferred_at and c.transfer_due:
            on_time[(c.accepting_unit.name, "转办", "done")] += 1
            on_time[(c.accepting_unit.name, "转办", "ok")] += local(c.transferred_at) <= c.transfer_due
        if c.settled_at and c.settle_due:
            unit = (c.settled_by_unit or c.lead_unit).name
            on_time[(unit, "办结", "done")] += 1
            on_time[(unit, "办结", "ok")] += local(c.settled_at) <= c.settle_due
    out["on_time"] = on_time
    out["satisfaction"] = Counter(c.get_satisfaction_display() if c.satisfaction else "已反馈未评价"
                                  for c in cases if c.satisfaction or c.fed_back_at)
    ids = Counter(c.complainant_id_number for c in cases if c.complainant_id_number)
    out["repeat"] = sorted(n for n in ids.values() if n >= 2)
    out["employers"] = Counter(c.employer_credit_code for c in cases if c.employer_credit_code)
    overdue = Counter()
    for c in Case.objects.filter(mechanism=mechanism, status__in=OPEN_STATUSES, due_date__lt=today):
        overdue[responsible_unit(c).name] += 1
    out["overdue"] = overdue
    reminders = Counter()
    for r in Reminder.objects.filter(case__mechanism=mechanism).select_related("unit"):
        if period.start <= local(r.created_at) <= period.end:
            reminders[(r.unit.name, r.level)] += 1
    out["reminders"] = reminders
    return out


@pytest.mark.parametrize("period", ["2025-Q3", "2025-Q4", "2025", "2025-09-15..2025-10-15"])
def test_every_figure_matches_an_independent_count(dataset, period):
    p = period_parse(period)
    f = figures_compute(mechanism=dataset.mechanism, period=p, today=dataset.today)
    want = independent(dataset.mechanism, p, dataset.today)
    assert f.total == want["total"] == sum(r[1] for r in rows(f, "month"))
    assert {r[0]: r[1] for r in rows(f, "month") if r[1]} == dict(want["month"])
    for key in ("category", "channel", "tier"):
        assert {r[0]: r[1] for r in rows(f, key) if r[1]} == dict(want[key]), key
        if want["total"]:
            assert sum(r[2] for r in rows(f, key) if r[2]) == pytest.approx(1.0)
    assert {r[0]: r[1] for r in rows(f, "status")} == dict(want["status"])
    assert {r[0]: r[1] for r in rows(f, "unit") if r[1]} == dict(want["accepted"])
    assert {r[0]: r[2] for r in rows(f, "unit") if r[2]} == dict(want["led"])
    for label, *values in rows(f, "durations"):
        assert values == want[label], label
    for unit, stage, done, ok, rate in rows(f, "on_time"):
        if unit != "合计":
            assert (done, ok) == (want["on_time"][(unit, stage, "done")],
                                  want["on_time"][(unit, stage, "ok")])
            assert rate == ok / done
    assert {r[0]: r[1] for r in rows(f, "satisfaction") if r[1]} == dict(want["satisfaction"])
    assert sorted(r[2] for r in rows(f, "repeat")) == want["repeat"]
    assert {r[1]: r[2] for r in rows(f, "employers")} == dict(want["employers"])
    supervision = {r[0]: r for r in rows(f, "supervision")}
    assert {u: r[1] for u, r in supervision.items() if r[1]} == dict(want["overdue"])
    assert {u: (r[4], r[5]) for u, r in supervision.items() if r[4] or r[5]} == {
        u: (want["reminders"][(u, "warning")], want["reminders"][(u, "overdue")])
        for u, _ in want["reminders"]}


def test_late_closures_count_in_the_period_they_happen(dataset):
    q4 = figures_compute(mechanism=dataset.mechanism, period=period_parse("2025-Q4"),
                         today=dataset.today)
    # A was settled late on 10-17: a Q4 closure by 税务, though A was accepted in Q3.
    assert {r[0]: r[3] for r in rows(q4, "supervision")}["国家税务总局高平市税务局"] == 1


def test_merged_and_other_mechanisms_stay_apart(dataset, yuanjiang, staff, register, clock):
    from cases.actors import Actor

    clock("2025-08-01 09:00")
    register(yuanjiang, Actor.staff(staff(yuanjiang, "tax")), accepted_at=at("2025-08-01 09:00"))
    f = figures_compute(mechanism=dataset.mechanism, period=period_parse("2025-Q3"), today=dataset.today)
    assert f.total == 4
    assert Case.objects.filter(status=CaseStatus.MERGED).count() == 0


def test_empty_period_has_no_figures_but_renders(dataset):
    f = figures_compute(mechanism=dataset.mechanism, period=period_parse("2024-Q1"), today=dataset.today)
    assert f.total == 0
    assert rows(f, "durations")[0] == ["受理至转办", 0, None, None, None]
    assert f.table("satisfaction").display_rows()[0] == ["满意", "0", "—"]


def test_query_count_does_not_grow_with_rows(dataset, staff, register, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.actors import Actor
    from cases.calendar import clear_calendar_cache

    period = period_parse("2025-Q3")

    def queries() -> int:
        clear_calendar_cache()
        with CaptureQueriesContext(connection) as captured:
            figures_compute(mechanism=dataset.mechanism, period=period, today=dataset.today)
        return len(captured)

    few = queries()
    clerk = Actor.staff(staff(dataset.mechanism, "hrss"))
    for day in range(1, 13):
        clock(f"2025-08-{day:02d} 10:00")
        register(dataset.mechanism, clerk, accepted_at=at(f"2025-08-{day:02d} 10:00"),
                 channel=dataset.mechanism.channels.get(code="unit-phone"))
    assert queries() == few


@pytest.mark.django_db(transaction=True)
def test_tables_read_at_once_equal_tables_read_in_sequence(dataset, monkeypatch):
    """On PostgreSQL the tables' queries run on several connections sharing one snapshot."""
    from django.db import connection, transaction

    from analytics import parallel

    pools = []
    real_pool = parallel.ThreadPoolExecutor
    monkeypatch.setattr(parallel, "ThreadPoolExecutor",
                        lambda **kwargs: pools.append(kwargs) or real_pool(**kwargs))
    period = period_parse("2025")
    at_once = figures_compute(mechanism=dataset.mechanism, period=period, today=dataset.today)
    assert len(pools) == (1 if connection.vendor == "postgresql" else 0)
    with transaction.atomic():  # inside a transaction: one connection, in sequence
        in_sequence = figures_compute(mechanism=dataset.mechanism, period=period,
                                      today=dataset.today)
    assert len(pools) == (1 if connection.vendor == "postgresql" else 0)
    assert at_once.total == in_sequence.total > 0
    assert [(t.key, t.rows) for t in at_once.tables] == [(t.key, t.rows) for t in in_sequence.tables]
