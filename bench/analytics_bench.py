"""Benchmark of the analytics reads at scale: the statistics page, the analysis report, the
ledger export and the warning scan, each timed in its own process with its peak RSS.

    DATABASE_URL=sqlite:////tmp/bench_analytics.sqlite3 \\
        .venv/bin/python bench/analytics_bench.py --sizes 10000,100000

Seeding is for measurement ONLY: Case rows go in with bulk_create, without history rows,
timeline events or the services' checks, because what is measured is reading them. So the
bench refuses a database that already holds cases (unless --reuse) and never runs without an
explicit DATABASE_URL: it must not touch a real database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # DEBUG off: no query log

FIRST_DAY, SPAN_DAYS = date(2024, 7, 1), 730  # cases accepted 2024-07-01 .. 2026-06-30
QUARTER, YEAR, SCAN_DAY = "2025-Q4", "2025", date(2026, 6, 30)
OUT = Path(os.environ.get("BENCH_OUT", "/tmp"))


def setup() -> None:
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- seeding --------------------------------------------------------------------------------


def _pools(rng: random.Random):
    from cases.identity import make_credit_code, make_mobile, make_resident_id

    employers = [(f"高平市测试{i:05d}有限公司", make_credit_code(rng)) for i in range(5000)]
    people = [(make_resident_id(rng), make_mobile(rng)) for i in range(30000)]
    return employers, people


def seed(mechanism, count: int, rng: random.Random) -> None:
    """Add `count` cases spread over two years, with plausible stages, dues and statuses."""
    from django.db import transaction
    from django.utils import timezone

    from cases.calendar import add_workdays
    from cases.models import Case, CaseCounter

    tz = timezone.get_default_timezone()
    units = list(mechanism.units.filter(handles_cases=True, is_office=False))
    office = mechanism.units.get(is_office=True)
    categories, channels = list(mechanism.categories.all()), list(mechanism.channels.all())
    tiers = {t.code: t for t in mechanism.tiers.all()}
    employers, people = _pools(rng)
    counters = {c.year: c for c in CaseCounter.objects.filter(mechanism=mechanism)}
    batch: list[Case] = []

    def moment(day: date, hour: int) -> datetime:
        return datetime.combine(day, dtime(hour, rng.randrange(60)), tz)

    for _ in range(count):
        accepted_day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
        accepted = moment(accepted_day, rng.randrange(8, 17))
        year = accepted_day.year
        counter = counters.get(year) or CaseCounter.objects.create(mechanism=mechanism, year=year)
        counters[year] = counter
        counter.last_value += 1
        person, phone = rng.choice(people[: 3000] if rng.random() < 0.2 else people)
        employer, code = rng.choice(employers[:300] if rng.random() < 0.3 else employers)
        tier = rng.choices([tiers["general"], tiers["simple"], tiers["special"]], [80, 12, 8])[0]
        lead = rng.choice(units)
        case = Case(
            number=f"{mechanism.case_prefix}-{year}-{counter.last_value:06d}", mechanism=mechanism,
            year=year, seq=counter.last_value, query_code="BENCH000", channel=rng.choice(channels),
            accepting_unit=rng.choice(units + [office]), accepted_at=accepted,
            complainant_type="individual", complainant_name="测试", complainant_id_number=person,
            complainant_phone=phone, employer_name=employer, employer_credit_code=code,
            category=rng.choice(categories), facts="基准测试数据", tier=tier, status="accepted",
            people_count=rng.randint(10, 60) if rng.random() < 0.03 else 1,
            transfer_due=add_workdays(accepted_day, 1))
        age = (SCAN_DAY - accepted_day).days
        done = rng.random() < (0.97 if age > 30 else 0.5)
        if tier.code == "simple":
            case.lead_unit = case.settled_by_unit = case.accepting_unit
            case.settled_at = case.fed_back_at = accepted + timedelta(minutes=20)
            case.transfer_due, case.status = None, "fed_back"
        else:
            transferred_day = add_workdays(accepted_day, rng.choice([0, 0, 1, 1, 1, 2]))
            case.lead_unit, case.transferred_at = lead, moment(transferred_day, 10)
            case.received_at = moment(add_workdays(transferred_day, rng.choice([0, 1])), 11)
            received_day = timezone.localdate(case.received_at)
            case.settle_due = add_workdays(received_day, 5)
            case.status, case.running_stage, case.due_date = "in_progress", "settle", case.settle_due
            if done:
                settled = moment(add_workdays(received_day, rng.choice([1, 2, 3, 4, 5, 6, 8])), 15)
                case.settled_at, case.settled_by_unit = settled, lead
                case.fed_back_at = settled + timedelta(days=rng.choice([0, 1, 2]))
                case.status, case.running_stage, case.due_date = "fed_back", "", None
        if case.fed_back_at and rng.random() < 0.7:
            case.status = "followed_up"
            case.satisfaction = rng.choices(["satisfied", "basically", "unsatisfied"], [70, 22, 8])[0]
        batch.append(case)
        if len(batch) == 5000:
            _flush(batch, counters, transaction)
    _flush(batch, counters, transaction)


def _flush(batch, counters, transaction) -> None:
    from cases.models import Case

    with transaction.atomic():
        Case.objects.bulk_create(batch, batch_size=1000)
        for counter in counters.values():
            counter.save(update_fields=["last_value"])
    batch.clear()


# --- the measured phases (each in its own process) -----------------------------------------


def phase(name: str) -> dict:
    from analytics.charts import chart_png
    from analytics.periods import period_parse
    from analytics.report import analysis_report_docx, figures_xlsx
    from analytics.selectors import typical_cases_in
    from analytics.services import warnings_scan
    from analytics.statistics import cases_in_period, figures_compute
    from cases.ledger_export import write_ledger_xlsx
    from cases.models import Mechanism

    mechanism = Mechanism.objects.get(slug="gaoping")
    base = rss_mb()
    started = time.perf_counter()
    if name.startswith("stats"):  # what the page does: every table and every chart
        period = period_parse(QUARTER if name == "stats-quarter" else YEAR)
        figures = figures_compute(mechanism=mechanism, period=period)
        charts = sum(1 for t in figures.tables if chart_png(t))
        rows, detail = figures.total, f"{len(figures.tables)} 表 {charts} 图"
    elif name == "report":
        period = period_parse(QUARTER)
        figures = figures_compute(mechanism=mechanism, period=period)
        analysis_report_docx(figures=figures, output=OUT / "bench_report.docx",
                             typical=typical_cases_in(mechanism=mechanism, period=period))
        figures_xlsx(figures=figures, output=OUT / "bench_report.xlsx")
        rows, detail = figures.total, "Word + Excel"
    elif name == "export":
        queryset = cases_in_period(mechanism, period_parse(YEAR))
        rows = write_ledger_xlsx(queryset, title="基准测试台账", output=OUT / "bench_ledger.xlsx")
        detail = f"{(OUT / 'bench_ledger.xlsx').stat().st_size / 1e6:.1f} MB xlsx"
    elif name == "scan":
        result = warnings_scan(mechanism=mechanism, today=SCAN_DAY)
        rows, detail = 0, f"新增预警 {result.counts['created']} 条（写库）"
    else:
        raise SystemExit(f"unknown phase {name}")
    return {"phase": name, "rows": rows, "seconds": time.perf_counter() - started,
            "base_mb": base, "peak_mb": rss_mb(), "detail": detail}


LABELS = {"stats-quarter": f"统计页（{QUARTER}）", "stats-year": f"统计页（{YEAR}）",
          "report": f"分析报告 docx+xlsx（{QUARTER}）", "export": f"台账导出（{YEAR}）",
          "scan": "预警扫描（全部规则）"}


def run_phase(name: str) -> dict:
    child = subprocess.run([sys.executable, __file__, "--phase", name], capture_output=True,
                           text=True, env=os.environ, check=False)
    if child.returncode:
        raise SystemExit(child.stderr)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="case counts, ascending")
    parser.add_argument("--reuse", action="store_true", help="measure the cases already there")
    parser.add_argument("--phases", default="stats-quarter,stats-year,report,export,scan")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("请用 DATABASE_URL 指定一个单独的基准测试数据库，如 "
                         "sqlite:////tmp/bench_analytics.sqlite3。")
    setup()
    if args.phase:
        print(json.dumps(phase(args.phase), ensure_ascii=False))
        return
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case
    from cases.services.mechanisms import mechanism_load

    call_command("migrate", verbosity=0)
    mechanism = mechanism_load(source="gaoping").mechanism
    existing = Case.objects.count()
    if existing and not args.reuse:
        raise SystemExit(f"该数据库已有 {existing} 件案件：基准测试只在空库上播种（或加 --reuse）。")
    sizes = [existing] if args.reuse else [int(s) for s in args.sizes.split(",")]
    rng = random.Random(2026)
    print(f"数据库：{connection.vendor}；期间：{QUARTER} / {YEAR}；案件受理于 {FIRST_DAY} 起 "
          f"{SPAN_DAYS} 天内。\n")
    print("| 案件总数 | 操作 | 涉及行数 | 用时（秒） | 峰值 RSS（MB） | RSS 增长（MB） | 说明 |")
    print("|---:|---|---:|---:|---:|---:|---|")
    for size in sizes:
        have = Case.objects.count()
        if size > have:
            started = time.perf_counter()
            seed(mechanism, size - have, rng)
            print(f"| {size:,} | 播种（bulk_create，无历史） | {size - have:,} | "
                  f"{time.perf_counter() - started:.1f} | | | 仅供测量 |", flush=True)
        for name in args.phases.split(","):
            r = run_phase(name)
            print(f"| {size:,} | {LABELS[name]} | {r['rows']:,} | {r['seconds']:.2f} | "
                  f"{r['peak_mb']:.0f} | {r['peak_mb'] - r['base_mb']:.0f} | {r['detail']} |",
                  flush=True)


if __name__ == "__main__":
    main()
