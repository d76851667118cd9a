"""Read side: the figures of one mechanism and period, as plain tables.

Every count is a GROUP BY in the database. The count tables share one GROUP BY over all their
dimensions (one pass over the period's rows instead of nine; pandas adds up the margins);
the working-day durations fetch (date, date, count) groups, two date columns at a time. The
same tables feed the admin page, the Word report and the workbook. Population: the cases
accepted in the period (按受理时间统计).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from analytics.dbfunctions import EpochDay, LocalDate, reporting_session
from analytics.parallel import parallel_reads
from analytics.periods import Period
from analytics.workdays import nearest_rank, workday_counts
from cases.identity import mask_identity, mask_name
from cases.models import Case, CaseStatus, ComplainantType, Mechanism, Satisfaction, Unit

TOP_ROWS = 20


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]
    formats: list[str] = field(default_factory=list)  # per column: "", "pct" or "dec1"
    note: str = ""
    chart: str = ""  # "bar", "barh", "pie" or "" for none
    chart_column: int = 1  # the plotted value column; column 0 holds the labels
    chart_limit: int = 0  # plot only the first n rows (0: all)

    def display_rows(self) -> list[list[str]]:
        formats = self.formats + [""] * (len(self.columns) - len(self.formats))
        return [[display(value, formats[i]) for i, value in enumerate(row)] for row in self.rows]


def display(value, fmt: str = "") -> str:
    """How a figure reads on the page and in Word: "—" for no value, 12.5%, 3.2."""
    if value is None:
        return "—"
    if fmt == "pct":
        return f"{value * 100:.1f}%"
    if fmt == "dec1":
        return f"{value:.1f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Figures:
    mechanism: Mechanism
    period: Period
    today: date
    total: int
    tables: list[Table]
    headline: dict = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def cases_in_period(mechanism: Mechanism, period: Period):
    start, end = period.bounds
    return Case.objects.filter(mechanism=mechanism, accepted_at__gte=start, accepted_at__lt=end)


CUBE_DIMENSIONS = ["category", "channel", "tier", "status", "accepting_unit", "lead_unit",
                   "satisfaction", "settle_unit"]
CUBE_MEASURES = ["n", "fed_back", "transfer_done", "transfer_ok", "settle_done", "settle_ok"]


def cube(base) -> pd.DataFrame:
    """Counts per combination of every dimension the count tables need, with the on-time
    counts alongside; a foreign key that is NULL becomes 0 (primary keys start at 1)."""
    rows = (base.annotate(settle_unit=Coalesce("settled_by_unit", "lead_unit"))
            .values(*CUBE_DIMENSIONS)
            .annotate(n=Count("pk"), fed_back=Count("fed_back_at"),
                      transfer_done=Count("pk", filter=Q(transferred_at__isnull=False,
                                                         transfer_due__isnull=False)),
                      transfer_ok=Count("pk", filter=Q(transfer_due__gte=LocalDate("transferred_at"))),
                      settle_done=Count("pk", filter=Q(settled_at__isnull=False,
                                                       settle_due__isnull=False)),
                      settle_ok=Count("pk", filter=Q(settle_due__gte=LocalDate("settled_at"))))
            .values_list(*CUBE_DIMENSIONS, *CUBE_MEASURES).order_by())
    frame = pd.DataFrame.from_records(list(rows), columns=CUBE_DIMENSIONS + CUBE_MEASURES)
    for column in ("category", "channel", "tier", "accepting_unit", "lead_unit", "settle_unit"):
        frame[column] = frame[column].fillna(0).astype("int64")
    return frame


def _counted(frame: pd.DataFrame, column: str, measure: str = "n") -> dict:
    totals = frame.groupby(column)[measure].sum()
    return {(None if key == 0 else key): int(value) for key, value in totals.items() if value}


def _named_counts(key, title, counts: dict, names: list[tuple], *, none_label="", chart="barh"):
    """Rows in configuration order; inactive entries appear only when they have cases."""
    total = sum(counts.values())
    rows = [[name, counts.get(pk, 0), share(counts.get(pk, 0), total)]
            for pk, name, active in names if active or counts.get(pk)]
    if none_label and counts.get(None):
        rows.append([none_label, counts[None], share(counts[None], total)])
    return Table(key, title, ["名称", "件数", "占比"], rows, ["", "", "pct"], chart=chart)


def by_month(base, period: Period) -> Table:
    months = period.months()
    counts = base.aggregate(**{f"m{i}": Count("pk", filter=Q(accepted_at__gte=low, accepted_at__lt=high))
                               for i, (_, low, high) in enumerate(months)})
    rows = [[label, counts[f"m{i}"]] for i, (label, _, _) in enumerate(months)]
    return Table("month", "按月受理量", ["月份", "件数"], rows, chart="bar")


def by_category(frame, mechanism: Mechanism) -> Table:
    names = list(mechanism.categories.order_by("sort_order", "id").values_list("pk", "name", "is_active"))
    table = _named_counts("category", "争议类别", _counted(frame, "category"), names)
    table.columns[0] = "争议类别"
    return table


def by_channel(frame, mechanism: Mechanism) -> Table:
    names = list(mechanism.channels.order_by("sort_order", "id").values_list("pk", "name", "is_active"))
    table = _named_counts("channel", "受理渠道", _counted(frame, "channel"), names)
    table.columns[0] = "受理渠道"
    return table


def by_tier(frame, mechanism: Mechanism) -> Table:
    names = [(pk, name, True) for pk, name in mechanism.tiers.order_by("sort_order", "id")
             .values_list("pk", "name")]
    table = _named_counts("tier", "争议分级", _counted(frame, "tier"), names, none_label="未分级",
                          chart="")
    table.columns[0] = "争议分级"
    return table


def by_status(frame) -> Table:
    counts = _counted(frame, "status")
    total = sum(counts.values())
    rows = [[label, counts[code], share(counts[code], total)]
            for code, label in CaseStatus.choices if counts.get(code)]
    return Table("status", "办理状态", ["状态", "件数", "占比"], rows, ["", "", "pct"])


def by_unit(frame, units: dict[int, Unit]) -> Table:
    accepted, led = _counted(frame, "accepting_unit"), _counted(frame, "lead_unit")
    rows = [[unit.name, accepted.get(pk, 0), led.get(pk, 0)]
            for pk, unit in units.items() if accepted.get(pk) or led.get(pk)]
    if led.get(None):
        rows.append(["（尚未转办）", 0, led[None]])
    return Table("unit", "受理与承办单位", ["单位", "受理件数", "承办件数"], rows,
                 chart="barh", chart_column=2)


DURATION_STAGES = [("受理至转办", "transferred_at"), ("受理至办结", "settled_at"),
                   ("受理至反馈", "fed_back_at")]


def duration_row(base, label: str, column: str) -> list:
    """[stage, cases, mean, 90th percentile, longest] in working days from acceptance."""
    # Local dates as day numbers straight from SQL, grouped: one row per (date, date).
    groups = np.array(base.filter(**{f"{column}__isnull": False})
                      .values(a=EpochDay("accepted_at"), b=EpochDay(column))
                      .annotate(n=Count("pk")).values_list("a", "b", "n").order_by(),
                      dtype=np.int64).reshape(-1, 3)
    if not len(groups):
        return [label, 0, None, None, None]
    dates = groups[:, :2].astype("datetime64[D]")
    days, weights = workday_counts(dates[:, 0], dates[:, 1]), groups[:, 2]
    return [label, int(weights.sum()), round(float(np.average(days, weights=weights)), 1),
            nearest_rank(days, 90, weights=weights), int(days.max())]


def durations(base, rows: list[list] | None = None) -> Table:
    rows = rows or [duration_row(base, label, column) for label, column in DURATION_STAGES]
    return Table("durations", "办理时长（工作日）", ["环节", "件数", "平均", "90%分位", "最长"],
                 rows, ["", "", "dec1", "", ""],
                 note="按中国法定工作日计算，受理当日不计；90%分位：九成事项在该工作日数内完成。")


def on_time(frame, units: dict[int, Unit]) -> Table:
    """A stage is on time when done on or before its due date (local dates, counted in SQL)."""
    stages = []
    for label, unit_column, stage in (("转办", "accepting_unit", "transfer"),
                                      ("办结", "settle_unit", "settle")):
        done = _counted(frame, unit_column, f"{stage}_done")
        ok = _counted(frame, unit_column, f"{stage}_ok")
        stages.append((label, {u: (d, ok.get(u, 0)) for u, d in done.items()}))
    rows = []
    for pk, unit in units.items():
        for label, found in stages:
            if pk in found:
                done, ok = found[pk]
                rows.append([unit.name, label, done, ok, share(ok, done)])
    for label, found in stages:
        done, ok = sum(d for d, _ in found.values()), sum(o for _, o in found.values())
        rows.append(["合计", label, done, ok, share(ok, done)])
    return Table("on_time", "按时完成率", ["单位", "环节", "完成件数", "按时件数", "按时率"], rows,
                 ["", "", "", "", "pct"],
                 note="转办按受理单位、办结按办结单位统计；完成日期不晚于期限即为按时。")


def satisfaction(frame) -> Table:
    counts = _counted(frame, "satisfaction")
    counts = {code: counts.get(code, 0) for code in Satisfaction.values}
    counts["unrated"] = int(frame.loc[frame["satisfaction"] == "", "fed_back"].sum())
    rated = sum(counts[code] for code in Satisfaction.values)
    rows = [[label, counts[code], share(counts[code], rated)] for code, label in Satisfaction.choices]
    rows.append(["已反馈未评价", counts["unrated"], None])
    return Table("satisfaction", "回访满意度", ["满意度", "件数", "占已评价比例"], rows,
                 ["", "", "pct"], chart="pie", chart_limit=len(Satisfaction.choices))


def repeat_complainants(base) -> Table:
    # ID numbers are encrypted with random nonces: group by the blind index (read from the
    # case_stats_parties index alone), then fetch names only for the rows shown.
    found = list(base.exclude(complainant_id_number_hash="")
                 .values_list("complainant_id_number_hash", "complainant_type")
                 .annotate(n=Count("complainant_id_number_hash")).filter(n__gte=2)
                 .order_by("-n", "complainant_id_number_hash"))
    shown = found[:TOP_ROWS]
    # Max() picks one ciphertext of the group, which the field decrypts for the masked column.
    people = {(h, kind): (name, number) for h, kind, name, number in
              base.filter(complainant_id_number_hash__in=[h for h, _, _ in shown])
              .values_list("complainant_id_number_hash", "complainant_type")
              .annotate(name=Max("complainant_name"), number=Max("complainant_id_number"))
              .order_by()}
    rows = []
    for digest, kind, n in shown:
        name, number = people[(digest, kind)]
        person = kind == ComplainantType.INDIVIDUAL
        rows.append([mask_name(name) if person else name, mask_identity(number), n])
    return Table("repeat", "重复反映人", ["反映人", "证件号码", "件数"], rows,
                 note=f"同一证件号码受理 2 件以上的共 {len(found)} 人，列出前 {len(rows)} 人；"
                      "个人姓名和证件号码已脱敏。")


def top_employers(base) -> Table:
    top = list(base.exclude(employer_credit_code="").values_list("employer_credit_code")
               .annotate(n=Count("employer_credit_code"))
               .order_by("-n", "employer_credit_code")[:10])
    names = dict(base.filter(employer_credit_code__in=[code for code, _ in top])
                 .values_list("employer_credit_code").annotate(name=Max("employer_name"))
                 .order_by())
    rows = [[names[code], code, n] for code, n in top]
    return Table("employers", "涉及争议较多的用人单位", ["用人单位", "统一社会信用代码", "件数"],
                 rows, chart="barh", chart_column=2)


def figures_compute(*, mechanism: Mechanism, period: Period, today: date | None = None,
                    supervision: bool = True) -> Figures:
    """Every table of the statistics page, in page order."""
    today = today or timezone.localdate()
    nested = connection.in_atomic_block  # then another connection might not see all rows
    with reporting_session():
        return _figures(mechanism, period, today, supervision, nested=nested)


def _figures(mechanism: Mechanism, period: Period, today: date, supervision: bool, *,
             nested: bool) -> Figures:
    from analytics.supervision import supervision_tables, warnings_table

    base = cases_in_period(mechanism, period)
    units = {u.pk: u for u in Unit.objects.filter(mechanism=mechanism).order_by("sort_order", "id")}
    jobs = {"frame": lambda: cube(base), "month": lambda: by_month(base, period),
            "repeat": lambda: repeat_complainants(base), "employers": lambda: top_employers(base),
            # one job per stage: the three scans are the longest, and run side by side
            **{column: (lambda label=label, column=column: duration_row(base, label, column))
               for label, column in DURATION_STAGES}}
    if supervision:
        jobs["supervision"] = lambda: [
            *supervision_tables(mechanism=mechanism, period=period, today=today, units=units),
            warnings_table(mechanism=mechanism, period=period)]
    done = parallel_reads(jobs, nested=nested)
    frame = done["frame"]
    status = by_status(frame)
    total = sum(row[1] for row in status.rows)
    tables = [done["month"], by_category(frame, mechanism), by_channel(frame, mechanism),
              by_unit(frame, units), by_tier(frame, mechanism), status,
              durations(base, [done[column] for _, column in DURATION_STAGES]),
              on_time(frame, units), satisfaction(frame), done["repeat"], done["employers"],
              *done.get("supervision", [])]
    figures = Figures(mechanism, period, today, total, tables)
    figures.headline = _headline(figures)
    return figures


def _headline(figures: Figures) -> dict:
    durations_rows = {row[0]: row for row in figures.table("durations").rows}
    totals = {row[1]: row for row in figures.table("on_time").rows if row[0] == "合计"}
    sat = figures.table("satisfaction").rows
    rated = sum(row[1] for row in sat[:3])
    return {
        "total": figures.total,
        "settled": durations_rows["受理至办结"][1],
        "settle_avg": durations_rows["受理至办结"][2],
        "transfer_rate": totals["转办"][4],
        "settle_rate": totals["办结"][4],
        "satisfied_rate": share(sat[0][1] + sat[1][1], rated),
    }
