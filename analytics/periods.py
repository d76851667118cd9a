"""Reporting periods: a month "2026-07", a quarter "2026-Q3", a year "2026" or a custom range
"2026-07-01..2026-08-15"; each with its Chinese label and its bounds in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from docgen.render import cn_date, cn_number

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:\.\.|~|至)\s*(\d{4}-\d{1,2}-\d{1,2})$")
MAX_RANGE_DAYS = 366 * 5


class PeriodError(ValueError):
    """A period text that cannot be read; the message is Chinese and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date  # last day, inclusive
    label: str

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at local midnight: index-friendly range filters."""
        return local_midnight(self.start), local_midnight(self.end + timedelta(days=1))

    def months(self) -> list[tuple[str, datetime, datetime]]:
        """(label, from, to) for each calendar month the period touches, clipped to it."""
        result = []
        first = self.start.replace(day=1)
        while first <= self.end:
            following = (first + timedelta(days=32)).replace(day=1)
            low, high = max(first, self.start), min(following - timedelta(days=1), self.end)
            result.append((f"{first.year}年{first.month}月", local_midnight(low),
                           local_midnight(high + timedelta(days=1))))
            first = following
        return result


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _date(text: str) -> date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day)
    except ValueError as exc:
        raise PeriodError(f"日期“{text}”无效，请写成 2026-07-01。") from exc


def period_range(start: date, end: date) -> Period:
    if end < start:
        raise PeriodError("结束日期不能早于开始日期。")
    if (end - start).days > MAX_RANGE_DAYS:
        raise PeriodError("统计期间最长五年。")
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end,
                  f"{cn_date(start)}至{cn_date(end)}")


def period_parse(text: str) -> Period:
    """"2026-07" → 2026年7月; "2026-Q3" → 2026年第三季度; "2026" → 2026年; "a..b" → a至b."""
    text = (text or "").strip()
    if match := _MONTH.match(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            first = date(year, month, 1)
            last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            return Period(f"{year}-{month:02d}", first, last, f"{year}年{month}月")
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        first = date(year, 3 * quarter - 2, 1)
        last = (date(year, 3 * quarter, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return Period(f"{year}-Q{quarter}", first, last, f"{year}年第{cn_number(quarter)}季度")
    if match := _YEAR.match(text):
        year = int(match[1])
        return Period(str(year), date(year, 1, 1), date(year, 12, 31), f"{year}年")
    if match := _RANGE.match(text):
        return period_range(_date(match[1]), _date(match[2]))
    raise PeriodError(f"统计期间“{text}”格式不对：请写成 2026-07（月）、2026-Q3（季度）、"
                      "2026（年）或 2026-07-01..2026-08-15（自定义）。")


def current_quarter(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return period_parse(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
