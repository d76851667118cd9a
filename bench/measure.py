"""In-process measurements on one already-built bench database (run by bench/run.py in a child
process with DATABASE_URL set): the ledger and the case page beside stock modeladmin, and the
statistics page. Prints one JSON object on its last line.

Each request goes through Django's test Client logged in as the Gaoping office clerk, so it
pays for the middleware, the Wagtail admin chrome and the permission policy, as a user would.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"  # DEBUG off, the field keys of dev

LEDGER = "/admin/cases/case/"
STOCK = "/admin/bench-stock/case/"


def pct(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return {"p50": statistics.median(ordered) * 1000, "p95": p95 * 1000, "runs": len(ordered)}


def _warm(client, url: str, params: dict | None) -> dict:
    """One request: checks it answers 200 and counts its SQL statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    if response.status_code != 200:
        raise SystemExit(f"{url} {params} → HTTP {response.status_code}")
    return {"queries": len(queries), "bytes": len(response.content)}


def timed(client, urls: list[str], runs: int, params: dict | None = None) -> list[dict]:
    """p50/p95 of each URL, requests interleaved so that load from other processes on this
    shared machine falls on all of them alike (compare the ratios, not the absolute times)."""
    info = [_warm(client, url, params) for url in urls]
    samples: list[list[float]] = [[] for _ in urls]
    for _ in range(runs):
        for i, url in enumerate(urls):
            started = time.perf_counter()
            client.get(url, params or {})
            samples[i].append(time.perf_counter() - started)
    return [{**pct(s), **extra} for s, extra in zip(samples, info, strict=True)]


def probes(mechanism) -> dict:
    """Search terms taken from real rows in the middle of the data, so they match something."""
    from cases.models import Case

    cases = Case.objects.filter(mechanism=mechanism).order_by("id")
    total = cases.count()
    middle = cases[total // 2]
    person = (cases.filter(complainant_type="individual").exclude(complainant_id_number="")
              [total // 3])
    return {"name": person.complainant_name, "number": middle.number,
            "id_number": person.complainant_id_number, "case": middle.pk}


def ledger_scenarios(p: dict) -> list[tuple[str, dict]]:
    return [("第一页", {}), ("状态筛选（办理中）", {"status": "in_progress"}),
            (f"姓名搜索（{p['name']}）", {"q": p["name"]}),
            ("受理编号搜索", {"q": p["number"]}), ("身份证号搜索", {"q": p["id_number"]}),
            ("第 500 页", {"p": "500"})]


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, reset_queries
    from django.test import Client

    from cases.demo import demo_staff, staff_username
    from cases.models import Case, Mechanism

    # No setup_test_environment(): its template instrumentation copies every context for the
    # test client, work production never does (it cost the ledger ~10–20 %).
    # One connection for the whole run, as with CONN_MAX_AGE > 0 (the settings close it after
    # every request), and a query log that the request signals do not wipe.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request_started.disconnect(reset_queries)
    settings.ROOT_URLCONF = "bench.stock_admin"
    runs = int(os.environ.get("BENCH_RUNS", "20"))
    mechanism = Mechanism.objects.get(slug="gaoping")
    office = next(u for u in mechanism.units.all() if u.is_office)
    user = demo_staff(mechanism)[staff_username(mechanism, office.code)]
    client = Client()
    client.force_login(user)
    p = probes(mechanism)
    client.get(LEDGER)  # the session's first request loads what later ones find cached
    client.get(STOCK)
    out = {"cases": Case.objects.count(), "load_before": os.getloadavg()[0], "ledger": [], "probes": {k: str(v) for k, v in p.items()}}
    for label, params in ledger_scenarios(p):
        ours, stock = timed(client, [LEDGER, STOCK], runs, params)
        out["ledger"].append({"label": label, "ours": ours, "stock": stock})
        print(label, round(ours["p95"]), round(stock["p95"]), file=sys.stderr, flush=True)
    # A unit clerk sees the cases its unit accepted, leads or co-handles: another WHERE clause.
    clerk = Client()
    clerk.force_login(demo_staff(mechanism)[staff_username(mechanism, "tax")])
    clerk.get(LEDGER)
    for label, params in (("税务经办人：第一页", {}), ("税务经办人：第 500 页", {"p": "500"})):
        ours, stock = timed(clerk, [LEDGER, STOCK], runs, params)
        out["ledger"].append({"label": label, "ours": ours, "stock": stock})
        print(label, round(ours["p95"]), round(stock["p95"]), file=sys.stderr, flush=True)
    ours, stock = timed(client, [f"{LEDGER}inspect/{p['case']}/", f"{STOCK}inspect/{p['case']}/"],
                        runs)
    out["case_page"] = {"ours": ours, "stock": stock}
    stat_runs = max(3, runs // 4)
    out["statistics"] = []
    for period in ("2025-Q4", "2025"):
        [result] = timed(client, ["/admin/analytics/"], stat_runs,
                         {"mechanism": "gaoping", "period": period})
        out["statistics"].append({"period": period, **result})
        print("statistics", period, round(result["p95"]), file=sys.stderr, flush=True)
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
