"""Working-day arithmetic: package years, staff calendars, the provisional fallback, the cache."""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import calendar as cal
from cases.calendar import (
    PACKAGE_YEARS,
    add_workdays,
    clear_calendar_cache,
    day_info,
    is_provisional_year,
    is_workday,
    span_is_provisional,
    upcoming_provisional_years,
    workdays_between,
)
from cases.models import CalendarDay, YearCalendar
from cases.services.calendar import (
    CalendarError,
    calendar_year_delete,
    calendar_year_save,
    format_calendar_lines,
    parse_calendar_lines,
    register_calendar_listener,
    unregister_calendar_listener,
)

pytestmark = pytest.mark.django_db
D = date


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Test transactions roll back without on_commit, so never let one test's years leak.
    clear_calendar_cache()
    yield
    clear_calendar_cache()


def save_2027(**extra):
    """A fictional 2027 notice: 春节 Sat 02-06 .. Fri 02-12 off, Sun 02-14 and Sat 02-20 worked."""
    return calendar_year_save(
        year=2027,
        holidays=parse_calendar_lines("2027-01-01 元旦\n2027-02-06 至 2027-02-12 春节", year=2027),
        workdays=parse_calendar_lines("2027-02-14 春节调休\n2027-02-20 春节调休", year=2027),
        source="国办发明电〔2026〕X号", **extra)


# ---------------------------------------------------------------- package years

def test_package_years_come_from_the_package_data():
    assert PACKAGE_YEARS.start == 2004
    assert PACKAGE_YEARS[-1] == max(chinese_calendar.constants.holidays).year
    assert {2024, 2025, 2026} <= set(PACKAGE_YEARS)


def test_every_package_day_matches_chinese_calendar():
    day = D(2024, 1, 1)
    while day.year <= PACKAGE_YEARS[-1]:
        assert is_workday(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize(("start", "n", "expected"), [
    # 2025 国庆+中秋: 10-01..10-08 off, Sun 09-28 and Sat 10-11 worked
    (D(2025, 9, 30), 1, D(2025, 10, 9)),
    (D(2025, 10, 4), 1, D(2025, 10, 9)),   # start on a holiday Saturday: still the next WD
    (D(2025, 9, 27), 1, D(2025, 9, 28)),   # Sat → the 调休 Sunday
    (D(2025, 10, 9), 2, D(2025, 10, 11)),  # Thu → Fri → 调休 Saturday
    (D(2025, 9, 26), 5, D(2025, 10, 10)),  # 09-28, 09-29, 09-30, 10-09, 10-10
    # 2025 春节: 01-28..02-04 off, Sun 01-26 and Sat 02-08 worked
    (D(2025, 1, 24), 1, D(2025, 1, 26)),
    (D(2025, 1, 27), 1, D(2025, 2, 5)),
    (D(2025, 2, 7), 1, D(2025, 2, 8)),
    # 2025 劳动节: 05-01..05-05 off, Sun 04-27 worked
    (D(2025, 4, 30), 1, D(2025, 5, 6)),
    (D(2025, 4, 25), 1, D(2025, 4, 27)),
    # 2024 春节: 02-10..02-17 off, Sun 02-04 and Sun 02-18 worked
    (D(2024, 2, 3), 1, D(2024, 2, 4)),
    (D(2024, 2, 9), 1, D(2024, 2, 18)),
    (D(2024, 2, 8), 3, D(2024, 2, 19)),
    # 2024 劳动节: 05-01..05-05 off, Sun 04-28 and Sat 05-11 worked
    (D(2024, 4, 26), 1, D(2024, 4, 28)),
    (D(2024, 4, 30), 1, D(2024, 5, 6)),
    (D(2024, 5, 10), 1, D(2024, 5, 11)),
    # 2024 国庆: 10-01..10-07 off, Sun 09-29 and Sat 10-12 worked
    (D(2024, 9, 30), 1, D(2024, 10, 8)),
    # 2026: 元旦 01-01..01-03 off with Sun 01-04 worked — across the year boundary
    (D(2025, 12, 31), 1, D(2026, 1, 4)),
    # 2026 春节 02-15..02-23 off, Sat 02-14 and Sat 02-28 worked
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 14), 1, D(2026, 2, 24)),
    # 2026 中秋 09-25..09-27 and 国庆 10-01..10-07 off, Sun 09-20 and Sat 10-10 worked
    (D(2026, 9, 19), 1, D(2026, 9, 20)),
    (D(2026, 9, 24), 1, D(2026, 9, 28)),
    (D(2026, 9, 30), 1, D(2026, 10, 8)),
    (D(2026, 10, 9), 1, D(2026, 10, 10)),
])
def test_add_workdays_across_holidays(start, n, expected):
    assert add_workdays(start, n) == expected
    assert workdays_between(start, expected) == n
    assert workdays_between(expected, start) == -n


def test_start_day_never_counts_and_zero_returns_start():
    assert add_workdays(D(2025, 9, 28), 0) == D(2025, 9, 28)
    assert add_workdays(D(2025, 9, 28), 1) == D(2025, 9, 29)  # the 调休 Sunday itself is skipped
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 1)) == 0
    with pytest.raises(ValueError, match="不能为负数"):
        add_workdays(D(2025, 1, 1), -1)


def test_workdays_between_counts_a_whole_year():
    # 2025: 365 days, 104 weekend days, 13 weekday holidays... trust the package as the oracle.
    expected = sum(chinese_calendar.is_workday(D(2025, 1, 1) + timedelta(days=i)) for i in range(365))
    assert workdays_between(D(2024, 12, 31), D(2025, 12, 31)) == expected
    assert workdays_between(D(2025, 12, 31), D(2024, 12, 31)) == -expected


def test_day_info_explains_dates():
    assert day_info(D(2025, 10, 1)) == cal.DayInfo(D(2025, 10, 1), False, "国庆节", "package", False)
    assert day_info(D(2025, 10, 6)).name == "中秋节"
    assert day_info(D(2025, 9, 28)) == cal.DayInfo(D(2025, 9, 28), True, "调休上班", "package", False)
    assert day_info(D(2025, 9, 27)).name == "周末"
    assert day_info(D(2025, 9, 26)).name == ""
    info = day_info(D(2028, 3, 4))
    assert (info.is_workday, info.name, info.source, info.provisional) == (False, "周末", "weekend-rule", True)


# ---------------------------------------------------------------- staff calendars, provisional years

def test_unknown_year_is_provisional_weekends_only():
    assert is_provisional_year(2028)
    assert not is_provisional_year(2026)
    assert add_workdays(D(2028, 9, 29), 1) == D(2028, 10, 2)  # no 国庆 known: Fri → Mon
    assert workdays_between(D(2028, 1, 2), D(2028, 1, 9)) == 5
    assert span_is_provisional(D(2026, 12, 28), D(2027, 1, 4))
    assert not span_is_provisional(D(2025, 12, 28), D(2026, 1, 4))
    assert upcoming_provisional_years(today=D(2026, 5, 1)) == [2027]
    assert upcoming_provisional_years(today=D(2025, 5, 1)) == []


def test_staff_entered_2027():
    calendar = save_2027()
    assert calendar.days.count() == 10
    assert not is_provisional_year(2027)
    assert not span_is_provisional(D(2026, 12, 28), D(2027, 1, 4))
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)  # 元旦 Friday off
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 14)   # through 春节 to the 调休 Sunday
    assert add_workdays(D(2027, 2, 5), 2) == D(2027, 2, 15)
    assert add_workdays(D(2027, 2, 19), 1) == D(2027, 2, 20)  # 调休 Saturday
    assert workdays_between(D(2027, 2, 5), D(2027, 2, 20)) == 7
    info = day_info(D(2027, 2, 8))
    assert (info.is_workday, info.name, info.source, info.provisional) == (False, "春节", "staff", False)
    assert day_info(D(2027, 3, 1)).source == "weekend-rule"


def test_staff_entry_overrides_the_package_per_date():
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    calendar_year_save(year=2026, holidays=[(D(2026, 10, 8), "国庆节"), (D(2026, 10, 10), "国庆节")],
                       workdays=[(D(2026, 10, 7), "国庆节调休")])
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 7)  # a package holiday now worked
    assert add_workdays(D(2026, 10, 7), 1) == D(2026, 10, 9)  # 10-08 now off
    assert not is_workday(D(2026, 10, 10))                      # package 调休 Saturday now off
    assert is_workday(D(2026, 9, 20))                           # untouched package dates still apply
    assert not is_workday(D(2026, 10, 1))
    assert day_info(D(2026, 10, 8)).source == "staff"
    calendar_year_delete(year=2026)
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_save_replaces_rows_with_history():
    save_2027()
    calendar_year_save(year=2027, holidays=[(D(2027, 1, 1), "元旦"), (D(2027, 2, 8), "春节假")],
                       workdays=[(D(2027, 2, 14), "春节调休")], source="第二版")
    days = {d.date: (d.kind, d.name) for d in CalendarDay.objects.all()}
    assert days == {D(2027, 1, 1): ("holiday", "元旦"), D(2027, 2, 8): ("holiday", "春节假"),
                    D(2027, 2, 14): ("workday", "春节调休")}
    assert YearCalendar.objects.get().source == "第二版"
    reasons = set(CalendarDay.history.values_list("history_type", "history_change_reason"))
    assert ("-", "保存年度工作日历") in reasons and ("~", "保存年度工作日历") in reasons


def test_cache_is_used_and_invalidated_on_save(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 8)  # provisional: weekends only
    with django_assert_num_queries(0):
        for _ in range(1000):
            add_workdays(D(2027, 2, 5), 20)
    with django_assert_num_queries(2):  # two years involved, one query each
        add_workdays(D(2025, 12, 20), 20)
    save_2027()
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 14)
    calendar_year_delete(year=2027)
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 8)
    assert is_provisional_year(2027)


def test_cache_expires_so_other_processes_catch_up(monkeypatch):
    assert is_provisional_year(2027)
    # Another process's write: no signal and no clear_calendar_cache() reach this process.
    YearCalendar.objects.bulk_create([YearCalendar(year=2027)])
    assert is_provisional_year(2027)
    later = cal.monotonic() + cal.CACHE_TTL_SECONDS + 1
    monkeypatch.setattr(cal, "monotonic", lambda: later)
    assert not is_provisional_year(2027)


def test_listener_called_after_every_change():
    calls = []

    def listener(*, years, user):
        calls.append((years, user, is_workday(D(2027, 2, 8))))

    register_calendar_listener(listener)
    try:
        save_2027(user=None)
        save_2027(user=None)  # nothing changed: no recompute
        calendar_year_delete(year=2027)
    finally:
        unregister_calendar_listener(listener)
    assert calls == [({2027}, None, False), ({2027}, None, True)]


def test_failing_listener_rolls_the_change_back():
    def broken(*, years, user):
        raise RuntimeError("recompute failed")

    register_calendar_listener(broken)
    try:
        with pytest.raises(RuntimeError):
            save_2027()
    finally:
        unregister_calendar_listener(broken)
    assert not YearCalendar.objects.exists()
    assert is_provisional_year(2027)


@pytest.mark.parametrize(("holidays", "workdays", "message"), [
    ([(D(2028, 1, 1), "元旦")], [], "2028-01-01 不在 2027 年内"),
    ([(D(2027, 2, 14), "春节")], [(D(2027, 2, 14), "调休")], "2027-02-14 既填为放假，又填为调休上班"),
    ([(D(2027, 2, 8), "春节")], [(D(2027, 2, 15), "调休")], "2027-02-15 是星期一"),
    ([(D(2027, 2, 8), "春节"), (D(2027, 2, 8), "春节")], [], "2027-02-08 重复出现"),
    ([], [], "都是空的"),
])
def test_save_refuses_bad_calendars(holidays, workdays, message):
    with pytest.raises(CalendarError, match=message):
        calendar_year_save(year=2027, holidays=holidays, workdays=workdays)
    assert not YearCalendar.objects.exists()


def test_holidays_may_fall_on_any_day():
    calendar_year_save(year=2027, holidays=[(D(2027, 5, 1), "劳动节"), (D(2027, 5, 3), "劳动节")],
                       workdays=[])
    assert not is_workday(D(2027, 5, 1)) and not is_workday(D(2027, 5, 3))


# ---------------------------------------------------------------- the clerk's line syntax

def test_parse_lines_in_every_accepted_form():
    text = """
        2027-02-06 至 2027-02-12 春节
        2027-10-01~2027-10-07 国庆节

        # 注释行
        2027-02-14 春节调休
        5月1日至5日，劳动节
        6月9日（星期三） 端午节
    """
    entries = parse_calendar_lines(text, year=2027)
    assert len(entries) == 7 + 7 + 1 + 5 + 1
    assert entries[0] == (D(2027, 2, 6), "春节") and entries[6] == (D(2027, 2, 12), "春节")
    assert (D(2027, 2, 14), "春节调休") in entries
    assert (D(2027, 5, 3), "劳动节") in entries
    assert entries[-1] == (D(2027, 6, 9), "端午节")
    assert parse_calendar_lines("2月6日至12日 春节", year=2027)[-1] == (D(2027, 2, 12), "春节")
    assert parse_calendar_lines("", year=2027) == []
    lines = format_calendar_lines(entries)
    assert "2027-02-06 至 2027-02-12 春节" in lines.splitlines()
    assert parse_calendar_lines(lines, year=2027) == sorted(entries)


@pytest.mark.parametrize(("text", "message"), [
    ("2027-01-01 元旦\n春节 2027-02-06", "第 2 行“春节 2027-02-06”：行首应为日期"),
    ("\n\n2027-02-30 春节", "第 3 行“2027-02-30 春节”：开始日期不存在"),
    ("2028-01-01 元旦", "第 1 行.*不在 2027 年内"),
    ("2027-02-12 至 2027-02-06 春节", "第 1 行.*结束日期早于开始日期"),
    ("2027-02-06 至 春节", "第 1 行.*缺少结束日期"),
    ("2027-01-01 至 2027-03-01 长假", "第 1 行.*区间超过 31 天"),
    ("2027-02-06 至 2027-02-12 春节\n2027-02-10 春节", "第 2 行.*与第 1 行重复"),
])
def test_parse_errors_name_the_line(text, message):
    with pytest.raises(CalendarError, match=message):
        parse_calendar_lines(text, year=2027)


# ---------------------------------------------------------------- properties

@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 31)),
       n=st.integers(min_value=0, max_value=30))
def test_add_and_between_are_inverse(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    assert workdays_between(end, start) == -n
    if n >= 1:
        assert is_workday(end)
        assert workdays_between(start, end - timedelta(days=1)) == n - 1
    if end.year in PACKAGE_YEARS:  # independent oracle: step with the package itself
        day, left = start, n
        while left:
            day += timedelta(days=1)
            left -= chinese_calendar.is_workday(day)
        assert end == day


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=st.dates(min_value=D(2023, 6, 1), max_value=D(2028, 6, 30)),
       span=st.integers(min_value=-400, max_value=400))
def test_between_matches_a_day_by_day_count(a, span):
    b = a + timedelta(days=span)
    low, high = sorted((a, b))
    naive = sum(is_workday(low + timedelta(days=i)) for i in range(1, (high - low).days + 1))
    assert workdays_between(a, b) == (naive if b >= a else -naive)
