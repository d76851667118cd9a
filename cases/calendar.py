"""Working-day arithmetic for every case deadline (read side; writes live in cases/services/calendar.py).

Per date, the first source that knows it decides:
1. a CalendarDay row entered by staff (放假 / 调休上班);
2. the chinesecalendar package, for the years it ships data for (PACKAGE_YEARS);
3. the weekend rule (Mon–Fri work, Sat/Sun rest).
A year with neither package data nor a YearCalendar row is *provisional*: its deadlines are
computed with the weekend rule only and must be shown as 仅供参考.

Each year is loaded with one query and kept in process memory; write services and model
signals clear the cache, and entries expire after CACHE_TTL_SECONDS so other worker
processes pick up staff edits too.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from time import monotonic

from chinese_calendar.constants import Holiday
from chinese_calendar.constants import holidays as _package_holidays
from chinese_calendar.constants import workdays as _package_workdays
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from cases.models import CalendarDay, YearCalendar

__all__ = [
    "CACHE_TTL_SECONDS",
    "PACKAGE_YEARS",
    "DayInfo",
    "add_workdays",
    "clear_calendar_cache",
    "day_info",
    "is_provisional_year",
    "is_workday",
    "span_is_provisional",
    "upcoming_provisional_years",
    "workdays_between",
]

# Same bounds chinese_calendar itself validates against, so an upgrade extends them for free.
PACKAGE_YEARS: range = range(min(_package_holidays).year, max(_package_holidays).year + 1)

CACHE_TTL_SECONDS = 300.0
MAKEUP_WORKDAY_NAME = "调休上班"
WEEKEND_NAME = "周末"
STAFF_HOLIDAY_DEFAULT_NAME = "放假"

_ONE_DAY = timedelta(days=1)
# The package uses short names (清明、端午、中秋); show the official ones.
_FULL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}


def _package_name(value: str) -> str:
    try:
        chinese = Holiday(value).chinese
    except ValueError:
        return STAFF_HOLIDAY_DEFAULT_NAME
    return _FULL_NAMES.get(chinese, chinese)


def _index_package() -> dict[int, dict[date, tuple[bool, str]]]:
    by_year: dict[int, dict[date, tuple[bool, str]]] = {}
    for day, value in _package_holidays.items():
        by_year.setdefault(day.year, {})[day] = (False, _package_name(value))
    for day in _package_workdays:
        by_year.setdefault(day.year, {})[day] = (True, MAKEUP_WORKDAY_NAME)
    return by_year


_PACKAGE_BY_YEAR = _index_package()


@dataclass(frozen=True, slots=True)
class _Year:
    rest_weekdays: frozenset[date]   # Mon–Fri dates that are days off
    work_weekends: frozenset[date]   # Sat/Sun dates that are working days
    workday_ordinals: tuple[int, ...]  # every working day of the year, sorted, for bisect
    names: dict[date, str]
    staff_dates: frozenset[date]
    in_package: bool
    has_staff_calendar: bool
    expires: float

    @property
    def provisional(self) -> bool:
        return not (self.in_package or self.has_staff_calendar)


@dataclass(frozen=True, slots=True)
class DayInfo:
    date: date
    is_workday: bool
    name: str          # 节日名称、"调休上班"、"周末" 或空串
    source: str        # "staff" | "package" | "weekend-rule"
    provisional: bool


_cache: dict[int, _Year] = {}


def clear_calendar_cache() -> None:
    """Forget every loaded year; the next lookup reloads from the database."""
    _cache.clear()


def _load_year(year: int) -> _Year:
    # One query: the LEFT JOIN yields (None, None, None) for a calendar without days,
    # which still tells us the year has been entered.
    rows = list(YearCalendar.objects.filter(year=year)
                .values_list("days__date", "days__kind", "days__name"))
    decided = dict(_PACKAGE_BY_YEAR.get(year, {}))
    staff_dates = set()
    for day, kind, name in rows:
        if day is None or day.year != year:
            continue
        staff_dates.add(day)
        if kind == CalendarDay.Kind.WORKDAY:
            decided[day] = (True, MAKEUP_WORKDAY_NAME)
        else:
            decided[day] = (False, name or STAFF_HOLIDAY_DEFAULT_NAME)
    rest_weekdays = frozenset(d for d, (work, _) in decided.items() if not work and d.weekday() < 5)
    work_weekends = frozenset(d for d, (work, _) in decided.items() if work and d.weekday() >= 5)
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    workday_ordinals = tuple(
        o for o, d in ((o, date.fromordinal(o)) for o in range(first, last + 1))
        if (d in work_weekends if d.weekday() >= 5 else d not in rest_weekdays))
    return _Year(
        rest_weekdays=rest_weekdays,
        work_weekends=work_weekends,
        workday_ordinals=workday_ordinals,
        names={d: name for d, (_, name) in decided.items()},
        staff_dates=frozenset(staff_dates),
        in_package=year in PACKAGE_YEARS,
        has_staff_calendar=bool(rows),
        expires=monotonic() + CACHE_TTL_SECONDS,
    )


def _year(year: int) -> _Year:
    data = _cache.get(year)
    if data is None or data.expires < monotonic():
        data = _cache[year] = _load_year(year)
    return data


def _works(day: date, data: _Year) -> bool:
    if day.weekday() < 5:
        return day not in data.rest_weekdays
    return day in data.work_weekends


def is_workday(day: date) -> bool:
    """True when `day` is a working day (调休上班 weekends included, holidays excluded)."""
    return _works(day, _year(day.year))


def add_workdays(start: date, n: int) -> date:
    """The n-th working day strictly after `start`; `start` itself never counts. n == 0 → start."""
    if n < 0:
        raise ValueError(f"工作日数不能为负数（收到 {n}）。")
    if n == 0:
        return start
    after = start.toordinal()
    year = (start + _ONE_DAY).year  # start on 12-31: its own year is not involved
    while True:
        ordinals = _year(year).workday_ordinals
        first = bisect_right(ordinals, after)  # first working day strictly after `after`
        if first + n <= len(ordinals):
            return date.fromordinal(ordinals[first + n - 1])
        n -= len(ordinals) - first
        year, after = year + 1, 0


def workdays_between(a: date, b: date) -> int:
    """Working days d with a < d <= b, so add_workdays(a, n) == b implies the result is n
    (for n >= 1). When b < a the result is the mirror, -workdays_between(b, a); a == b gives 0."""
    if b < a:
        return -workdays_between(b, a)
    if a == b:
        return 0
    low, high = a.toordinal(), b.toordinal()
    count = 0
    for year in range((a + _ONE_DAY).year, b.year + 1):
        ordinals = _year(year).workday_ordinals
        count += bisect_right(ordinals, high) - bisect_right(ordinals, low)
    return count


def is_provisional_year(year: int) -> bool:
    """No package data and no staff calendar: the weekend rule is only a guess for this year."""
    return _year(year).provisional


def span_is_provisional(start: date, end: date) -> bool:
    """True when any year from start's to end's (both ends included, either order) is provisional."""
    low, high = sorted((start, end))
    return any(is_provisional_year(year) for year in range(low.year, high.year + 1))


def upcoming_provisional_years(*, today: date | None = None, ahead: int = 1) -> list[int]:
    """Provisional years among this year and the next `ahead` ones — what the admin warns about."""
    first = (today or timezone.localdate()).year
    return [year for year in range(first, first + ahead + 1) if is_provisional_year(year)]


def day_info(day: date) -> DayInfo:
    """Everything the admin or a deadline tooltip needs to explain one date."""
    data = _year(day.year)
    works = _works(day, data)
    if day in data.staff_dates:
        source = "staff"
    elif data.in_package:
        source = "package"
    else:
        source = "weekend-rule"
    if day in data.names:
        name = data.names[day]
    elif day.weekday() >= 5 and not works:
        name = WEEKEND_NAME
    else:
        name = ""
    return DayInfo(date=day, is_workday=works, name=name, source=source,
                   provisional=data.provisional)


def _on_calendar_change(**_kwargs) -> None:
    clear_calendar_cache()


# Edits that bypass the services (shell, fixtures, other admin screens) must not leave stale sets.
for _model in (YearCalendar, CalendarDay):
    post_save.connect(_on_calendar_change, sender=_model,
                      dispatch_uid=f"cases.calendar.clear_cache.save.{_model.__name__}")
    post_delete.connect(_on_calendar_change, sender=_model,
                        dispatch_uid=f"cases.calendar.clear_cache.delete.{_model.__name__}")
