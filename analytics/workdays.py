"""Working days between many (start, end) pairs at once, with the calendar of cases.calendar.

numpy's busday_count knows a weekmask and holidays but not 调休 (weekends worked), so the
count is busday_count over Mon–Fri minus the rest weekdays, plus the worked weekend days in
(start, end]. Both sets come from cases.calendar.is_workday, day by day over the span, so
the result always equals cases.calendar.workdays_between (the tests check it).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from cases.calendar import is_workday

WEEKMASK = "1111100"


def calendar_exceptions(low: date, high: date) -> tuple[np.ndarray, np.ndarray]:
    """(rest weekdays, worked weekend days) between low and high inclusive, sorted."""
    rest, worked = [], []
    day = low
    while day <= high:
        works = is_workday(day)
        if day.weekday() < 5 and not works:
            rest.append(day)
        elif day.weekday() >= 5 and works:
            worked.append(day)
        day += timedelta(days=1)
    return np.array(rest, dtype="datetime64[D]"), np.array(worked, dtype="datetime64[D]")


def workday_counts(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Working days d with start < d <= end, per pair (negative when end < start)."""
    starts = np.asarray(starts, dtype="datetime64[D]")
    ends = np.asarray(ends, dtype="datetime64[D]")
    if starts.size == 0:
        return np.array([], dtype=np.int64)
    low = min(starts.min(), ends.min()).astype(date)
    high = max(starts.max(), ends.max()).astype(date) + timedelta(days=1)
    rest, worked = calendar_exceptions(low, high)
    # Count forwards over (early, late] and apply the sign: numpy's own negative counts cover
    # [late, early) shifted by a day, not the mirror that workdays_between defines.
    early, late = np.minimum(starts, ends), np.maximum(starts, ends)
    one = np.timedelta64(1, "D")
    counts = np.busday_count(early + one, late + one, weekmask=WEEKMASK, holidays=rest)
    counts += np.searchsorted(worked, late, side="right") - np.searchsorted(worked, early,
                                                                             side="right")
    return (counts * np.sign((ends - starts).astype(np.int64))).astype(np.int64)


def nearest_rank(values: np.ndarray, percent: float, *, weights: np.ndarray | None = None) -> float:
    """The smallest value with at least `percent`% of values at or below it (an observed one);
    `weights` counts how many times each value occurs."""
    if weights is None:
        return float(np.percentile(values, percent, method="inverted_cdf"))
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    rank = int(np.ceil(percent / 100 * cumulative[-1]))
    return float(values[order][np.searchsorted(cumulative, rank)])
