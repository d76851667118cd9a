"""The early-warning rules: each reads the cases and returns findings (key, cases, message);
analytics.services turns findings into Warning rows. Merged duplicates never count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q

from analytics.models import WarningRule
from analytics.periods import local_midnight
from cases.models import Case, CaseStatus
from cases.workflow import OPEN_STATUSES


@dataclass(frozen=True)
class Finding:
    key: str
    case_ids: tuple[int, ...]
    message: str


def _live(rule: WarningRule):
    return Case.objects.filter(mechanism_id=rule.mechanism_id).exclude(status=CaseStatus.MERGED)


def employer_repeat(rule: WarningRule, *, today: date) -> list[Finding]:
    """≥ min_cases cases about one employer credit code accepted in the last `days` days."""
    params = rule.values()
    days, least = params["days"], params["min_cases"]
    window = (_live(rule).exclude(employer_credit_code="")
              .filter(accepted_at__gte=local_midnight(today - timedelta(days=days - 1)),
                      accepted_at__lt=local_midnight(today + timedelta(days=1))))
    codes = [row["employer_credit_code"] for row in window.values("employer_credit_code")
             .annotate(n=Count("pk")).filter(n__gte=least).order_by()]
    found: dict[str, tuple[str, list[int]]] = {}
    for code, pk, name in (window.filter(employer_credit_code__in=codes)
                           .values_list("employer_credit_code", "pk", "employer_name")
                           .order_by("accepted_at", "pk")):
        found.setdefault(code, (name, []))[1].append(pk)
    return [Finding(code, tuple(ids),
                    f"{name or '用人单位'}（统一社会信用代码 {code}）近{days}日内被反映 {len(ids)} 件，"
                    f"达到预警线（{least} 件）。")
            for code, (name, ids) in sorted(found.items())]


def group_size(rule: WarningRule, *, today: date, case: Case | None = None) -> list[Finding]:
    """An open case involving ≥ min_people people; at registration only that case is looked at."""
    least = rule.values()["min_people"]
    if case is not None:  # the case in hand at registration: no query for it
        live = case.mechanism_id == rule.mechanism_id and case.status != CaseStatus.MERGED
        rows = ([(case.pk, case.number, case.people_count, case.category.name)]
                if live and case.people_count >= least else [])
    else:
        rows = (_live(rule).filter(people_count__gte=least, status__in=OPEN_STATUSES)
                .order_by("pk").values_list("pk", "number", "people_count", "category__name"))
    return [Finding(number, (pk,), f"{number}（{category}）涉及 {people} 人，达到群体性争议预警线"
                                   f"（{least} 人），请关注风险、做好稳控。")
            for pk, number, people, category in rows]


def category_spike(rule: WarningRule, *, today: date) -> list[Finding]:
    """This week's count (Monday to today) ≥ max(min_count, factor × average of the previous
    `weeks` full weeks), per dispute category."""
    params = rule.values()
    weeks, factor, least = params["weeks"], params["factor"], params["min_count"]
    monday = today - timedelta(days=today.weekday())
    edges = [local_midnight(monday - timedelta(weeks=i)) for i in range(weeks + 1)]
    this_week = Q(accepted_at__gte=edges[0], accepted_at__lt=local_midnight(today + timedelta(days=1)))
    window = _live(rule).filter(accepted_at__gte=edges[-1],
                                accepted_at__lt=local_midnight(today + timedelta(days=1)))
    counts = window.values("category", "category__code", "category__name").annotate(
        now=Count("pk", filter=this_week),
        **{f"w{i}": Count("pk", filter=Q(accepted_at__gte=edges[i], accepted_at__lt=edges[i - 1]))
           for i in range(1, weeks + 1)}).order_by("category")
    year, week, _ = monday.isocalendar()
    findings = []
    for row in counts:
        average = sum(row[f"w{i}"] for i in range(1, weeks + 1)) / weeks
        threshold = max(least, factor * average)
        if row["now"] < threshold:
            continue
        ids = tuple(window.filter(this_week, category_id=row["category"]).order_by("pk")
                    .values_list("pk", flat=True))
        findings.append(Finding(
            f"{row['category__code']}@{year}-W{week:02d}", ids,
            f"“{row['category__name']}”本周（{monday.month}月{monday.day}日起）已受理 {row['now']} 件，"
            f"前{weeks}周平均每周 {average:.1f} 件，达到预警线（{threshold:g} 件）。"))
    return findings


EVALUATORS: dict[str, Callable[..., list[Finding]]] = {
    "employer_repeat": employer_repeat,
    "group_size": group_size,
    "category_spike": category_spike,
}
# After acknowledgement these rules warn again only when cases not yet covered appear; the
# others' keys (a case, a category's week) never warn twice.
REALERT_ON_NEW_CASES = frozenset({"employer_repeat"})
