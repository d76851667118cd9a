"""Write side of the working-day calendar: staff year calendars, the clerk's line syntax, file import.

Every write runs in one transaction, records history (user and reason), clears the read cache in
cases/calendar.py and then calls the registered listeners with the years it changed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path

from chinese_calendar import is_workday as package_is_workday
from django.db import transaction

from cases.calendar import PACKAGE_YEARS, clear_calendar_cache
from cases.models import CalendarDay, YearCalendar

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_RANGE_DAYS = 31
NAME_MAX = CalendarDay._meta.get_field("name").max_length
SOURCE_MAX = YearCalendar._meta.get_field("source").max_length
HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY
_WEEKDAY_NAMES = "一二三四五六日"


class CalendarError(ValueError):
    """A calendar input problem, worded for the clerk. `field` is "holidays" or "workdays" when
    the problem belongs to one of the two lists (the admin form shows it under that textarea)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- listeners

CalendarListener = Callable[..., None]
_listeners: list[CalendarListener] = []


def register_calendar_listener(fn: CalendarListener) -> CalendarListener:
    """Call fn(*, years: set[int], user) after every calendar change, inside the transaction
    (an exception rolls the change back). Usable as a decorator; registering twice is a no-op."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def unregister_calendar_listener(fn: CalendarListener) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def _notify(*, years: set[int], user) -> None:
    clear_calendar_cache()
    # Another thread may reload the old rows before we commit; clear again once committed.
    transaction.on_commit(clear_calendar_cache)
    for fn in list(_listeners):
        fn(years=set(years), user=user)


# ---------------------------------------------------------------- validation

def _check_year(year: int) -> None:
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"年份“{year}”无效，应为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数。")


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise CalendarError(f"“{value}”不是日期。")


class _Entries:
    """Collects (date, kind, name) entries for one year, refusing each problem as it is seen."""

    def __init__(self, year: int):
        self.year = year
        self.kinds: dict[date, tuple[str, str]] = {}  # date -> (kind, where it came from)
        self.holidays: list[tuple[date, str]] = []
        self.workdays: list[tuple[date, str]] = []

    def add(self, day, kind: str, name: str, *, where: str = "") -> None:
        field = "holidays" if kind == HOLIDAY else "workdays"
        label = "放假" if kind == HOLIDAY else "调休上班"

        def fail(message: str):
            raise CalendarError(f"{where}{message}", field=field)

        try:
            day = _as_date(day)
        except CalendarError as exc:
            fail(str(exc))
        name = (name or "").strip()
        if day.year != self.year:
            fail(f"{label}日期 {day:%Y-%m-%d} 不在 {self.year} 年内。")
        if len(name) > NAME_MAX:
            fail(f"{day:%Y-%m-%d} 的名称“{name}”超过 {NAME_MAX} 个字。")
        if day in self.kinds:
            other_kind, other_where = self.kinds[day]
            earlier = f"（见{other_where.rstrip('：')}）" if other_where else ""
            if other_kind == kind:
                fail(f"{label}日期 {day:%Y-%m-%d} 重复出现{earlier}。")
            fail(f"{day:%Y-%m-%d} 既填为放假，又填为调休上班{earlier}，只能选一种。")
        if kind == WORKDAY and day.weekday() < 5 and not _package_rest_day(day):
            fail(f"调休上班日期 {day:%Y-%m-%d} 是星期{_WEEKDAY_NAMES[day.weekday()]}，"
                 "调休上班只能是星期六或星期日。")
        self.kinds[day] = (kind, where)
        (self.holidays if kind == HOLIDAY else self.workdays).append((day, name))


def _package_rest_day(day: date) -> bool:
    # A weekday "workday" is allowed only to undo a package holiday (staff overrides the package).
    return day.year in PACKAGE_YEARS and not package_is_workday(day)


def validate_calendar_year(*, year: int, holidays: Iterable[tuple[date, str]],
                           workdays: Iterable[tuple[date, str]]) -> None:
    """Raise CalendarError for the first problem calendar_year_save would refuse."""
    _collect(year=year, holidays=holidays, workdays=workdays)


def _collect(*, year: int, holidays, workdays) -> _Entries:
    _check_year(year)
    entries = _Entries(year)
    for day, name in holidays:
        entries.add(day, HOLIDAY, name)
    for day, name in workdays:
        entries.add(day, WORKDAY, name)
    if not entries.kinds:
        raise CalendarError("放假安排和调休上班都是空的。如要删除该年日历，请使用删除功能。")
    return entries


# ---------------------------------------------------------------- writes

def _save_entries(*, entries: _Entries, source: str | None, note: str | None, user,
                  reason: str) -> tuple[YearCalendar, bool]:
    """Create or replace the year's staff calendar; returns (calendar, anything changed)."""
    year = entries.year
    source = (source or "").strip() if source is not None else None
    if source is not None and len(source) > SOURCE_MAX:
        raise CalendarError(f"依据超过 {SOURCE_MAX} 个字，请精简。")
    calendar = YearCalendar.objects.select_for_update().filter(year=year).first()
    changed = calendar is None
    calendar = calendar or YearCalendar(year=year)
    for attr, value in (("source", source), ("note", note)):
        if value is not None and getattr(calendar, attr) != value:
            setattr(calendar, attr, value)
            changed = True

    wanted = {day: (HOLIDAY, name) for day, name in entries.holidays}
    wanted.update({day: (WORKDAY, name) for day, name in entries.workdays})
    # By date, not by calendar: CalendarDay.date is unique across all years.
    existing = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    to_delete = [row for day, row in existing.items() if day not in wanted]
    to_save = []
    for day, (kind, name) in sorted(wanted.items()):
        row = existing.get(day)
        if row is None:
            to_save.append(CalendarDay(date=day, kind=kind, name=name))
        elif (row.kind, row.name, row.calendar_id) != (kind, name, calendar.pk):
            row.kind, row.name = kind, name
            to_save.append(row)
    if not (changed or to_delete or to_save):
        return calendar, False

    calendar._history_user, calendar._change_reason = user, reason
    calendar.save()  # also bumps updated_at when only the days changed
    for row in to_delete:  # first, so a re-dated entry never meets the unique date
        row._history_user, row._change_reason = user, reason
        row.delete()
    for row in to_save:
        row.calendar = calendar
        row._history_user, row._change_reason = user, reason
        row.save()
    return calendar, True


@transaction.atomic
def calendar_year_save(*, year: int, holidays: list[tuple[date, str]],
                       workdays: list[tuple[date, str]], source: str = "", note: str = "",
                       user=None) -> YearCalendar:
    """Create or replace the staff calendar of `year` (holiday dates and 调休 working weekends).

    Listed dates override the package day by day; unlisted dates follow the package (or the
    weekend rule). Raises CalendarError, naming the date, before anything is written."""
    entries = _collect(year=year, holidays=holidays, workdays=workdays)
    try:
        calendar, changed = _save_entries(entries=entries, source=source, note=note, user=user,
                                          reason="保存年度工作日历")
        if changed:
            _notify(years={year}, user=user)
    except BaseException:
        clear_calendar_cache()  # the rollback may undo rows a reader already cached
        raise
    return calendar


@transaction.atomic
def calendar_year_delete(*, year: int, user=None) -> None:
    """Delete the staff calendar of `year`; its dates go back to the package or weekend rule."""
    calendar = YearCalendar.objects.select_for_update().filter(year=year).first()
    if calendar is None:
        raise CalendarError(f"没有 {year} 年的工作日历。")
    reason = "删除年度工作日历"
    try:
        for row in CalendarDay.objects.filter(calendar=calendar):
            row._history_user, row._change_reason = user, reason
            row.delete()
        calendar._history_user, calendar._change_reason = user, reason
        calendar.delete()
        _notify(years={year}, user=user)
    except BaseException:
        clear_calendar_cache()
        raise


# ---------------------------------------------------------------- the clerk's line syntax

_WEEKDAY_NOTE = re.compile(r"[（(]\s*(?:星期|周|礼拜)[一二三四五六日天]\s*[）)]")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*(?:[-/.]|年)\s*)?(?:(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*)?(?P<d>\d{1,2})(?!\d)\s*日?")
_RANGE_SEP = re.compile(r"\s*(?:至|到|~|～|-|－|—|–)+\s*")
_NAME_TRIM = " \t,，、:：;；。"


def _build_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_calendar_lines(text: str, *, year: int) -> list[tuple[date, str]]:
    """Parse one entry per line into (date, name) pairs, ranges expanded:

        2027-02-06 至 2027-02-12 春节      2027-10-01~2027-10-07 国庆节
        2027-02-14 春节调休                 2月6日至12日 春节      2月14日（星期日） 春节调休

    Blank lines and lines starting with # are skipped. Raises CalendarError naming the line."""
    _check_year(year)
    result: list[tuple[date, str]] = []
    seen: dict[date, int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = _WEEKDAY_NOTE.sub("", raw).strip()
        if not line or line.startswith("#"):
            continue

        def fail(message: str, lineno=lineno, raw=raw):
            raise CalendarError(f"第 {lineno} 行“{raw.strip()}”：{message}")

        first = _DATE.match(line)
        if not first or first.group("m") is None:
            fail("行首应为日期，如 2027-02-06 或 2月6日。")
        start_year = int(first.group("y") or year)
        start = _build_date(start_year, int(first.group("m")), int(first.group("d")))
        if start is None:
            fail("开始日期不存在。")
        rest = line[first.end():]
        end = start
        separator = _RANGE_SEP.match(rest)
        if separator:
            second = _DATE.match(rest, separator.end())
            if not second:
                fail("“至”后面缺少结束日期。")
            end = _build_date(int(second.group("y") or start_year),
                              int(second.group("m") or start.month), int(second.group("d")))
            if end is None:
                fail("结束日期不存在。")
            rest = rest[second.end():]
        for day in (start, end):
            if day.year != year:
                fail(f"日期 {day:%Y-%m-%d} 不在 {year} 年内。")
        if end < start:
            fail("结束日期早于开始日期。")
        if (end - start).days >= MAX_RANGE_DAYS:
            fail(f"区间超过 {MAX_RANGE_DAYS} 天，请检查日期。")
        name = rest.strip(_NAME_TRIM)
        if len(name) > NAME_MAX:
            fail(f"名称“{name}”超过 {NAME_MAX} 个字。")
        day = start
        while day <= end:
            if day in seen:
                fail(f"日期 {day:%Y-%m-%d} 与第 {seen[day]} 行重复。")
            seen[day] = lineno
            result.append((day, name))
            day += timedelta(days=1)
    return result


def format_calendar_lines(entries: Iterable[tuple[date, str]]) -> str:
    """Inverse of parse_calendar_lines: consecutive dates with the same name become one range."""
    lines: list[str] = []
    run: list[tuple[date, str]] = []
    for day, name in sorted(entries) + [(None, None)]:
        if run and (day is None or name != run[-1][1] or day - run[-1][0] != timedelta(days=1)):
            first, last = run[0][0], run[-1][0]
            span = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}"
            lines.append(f"{span} {run[0][1]}".rstrip())
            run = []
        if day is not None:
            run.append((day, name))
    return "\n".join(lines)


# ---------------------------------------------------------------- file import

_KINDS = {"holiday": HOLIDAY, "放假": HOLIDAY, "休": HOLIDAY, "休息": HOLIDAY,
          "workday": WORKDAY, "上班": WORKDAY, "班": WORKDAY, "调休上班": WORKDAY}
_CSV_HEADERS = {"date": "date", "日期": "date", "kind": "kind", "类型": "kind",
                "name": "name", "名称": "name", "节日": "name"}
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _file_entry(entries: _Entries | None, raw_date, raw_kind, raw_name, *,
                where: str) -> _Entries:
    match = _FULL_DATE.fullmatch(str(raw_date or "").strip())
    day = match and _build_date(*(int(part) for part in match.groups()))
    if not day:
        raise CalendarError(f"{where}日期“{raw_date}”无效，应写成 2027-01-01。")
    kind = _KINDS.get(str(raw_kind or "").strip().lower())
    if kind is None:
        raise CalendarError(f"{where}类型“{raw_kind}”无效，应为 holiday（放假）或 workday（上班）。")
    if entries is None:
        _check_year(day.year)
        entries = _Entries(day.year)
    elif day.year != entries.year:
        raise CalendarError(f"{where}日期 {day:%Y-%m-%d} 不在 {entries.year} 年内"
                            "（一个文件只能包含同一年的日期）。")
    entries.add(day, kind, str(raw_name or ""), where=where)
    return entries


def _read_csv(text: str) -> tuple[_Entries | None, dict]:
    reader = csv.reader(text.splitlines())
    header = [_CSV_HEADERS.get(cell.strip().lower(), cell.strip()) for cell in next(reader, [])]
    if "date" not in header or "kind" not in header:
        raise CalendarError("第 1 行：表头应为 date,kind,name（或 日期,类型,名称）。")
    entries = None
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, row, strict=False))
        entries = _file_entry(entries, values.get("date"), values.get("kind"), values.get("name"),
                              where=f"第 {reader.line_num} 行：")
    return entries, {}


def _read_json(text: str) -> tuple[_Entries | None, dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarError(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("days"), list):
        raise CalendarError("JSON 文件应为对象，且含 days 列表。")
    extra = {key: data[key] for key in ("source", "note") if isinstance(data.get(key), str)}
    entries = None
    if "year" in data:
        _check_year(data["year"])
        entries = _Entries(data["year"])
    for index, item in enumerate(data["days"]):
        where = f"days 第 {index + 1} 项（下标 {index}）："
        if not isinstance(item, dict):
            raise CalendarError(f"{where}应为含 date、kind、name 的对象。")
        entries = _file_entry(entries, item.get("date"), item.get("kind"), item.get("name"),
                              where=where)
    return entries, extra


@transaction.atomic
def calendar_import_file(*, path: Path, user=None) -> YearCalendar:
    """Load one year's staff calendar from a CSV (date,kind,name) or JSON file, replacing it.

    The whole file is checked first; a broken file changes nothing (see docs/calendar.md)."""
    path = Path(path)
    readers = {".csv": _read_csv, ".json": _read_json}
    if path.suffix.lower() not in readers:
        raise CalendarError(f"不支持的文件类型“{path.suffix}”，请使用 .csv 或 .json 文件。")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CalendarError(f"找不到文件 {path}。") from exc
    except UnicodeDecodeError as exc:
        raise CalendarError(f"文件 {path.name} 不是 UTF-8 编码，请另存为 UTF-8 后再导入。") from exc
    entries, extra = readers[path.suffix.lower()](text)
    if entries is None or not entries.kinds:
        raise CalendarError(f"文件 {path.name} 中没有任何日期。")
    try:
        calendar, changed = _save_entries(
            entries=entries, source=extra.get("source", _default_source(entries.year, path)),
            note=extra.get("note"), user=user, reason=f"导入工作日历文件 {path.name}")
        if changed:
            _notify(years={entries.year}, user=user)
    except BaseException:
        clear_calendar_cache()
        raise
    return calendar


def _default_source(year: int, path: Path) -> str:
    existing = YearCalendar.objects.filter(year=year).values_list("source", flat=True).first()
    return existing or f"导入自文件 {path.name}"[:SOURCE_MAX]
