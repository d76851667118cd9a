"""Cost of one public intake POST, in one process: milliseconds and SQL statements per request.

Builds a fresh database (SQLite in a temporary file, or `--pg`: PostgreSQL database
onestop_load_profile, dropped and created), migrates and loads both mechanisms with their portal
pages (`setup_demo --cases 0`, as bench/load_intake.py does), then through Django's test client
(the full WSGI handler, every middleware, CSRF enforced) GETs the gaoping form once and POSTs
`--posts` valid forms. Prints median / p95 milliseconds, SQL per POST, and the statements of one
POST grouped by the project code that issued them. `--profile` adds the cProfile top functions.

    nice -n 10 .venv/bin/python bench/intake_profile.py
    nice -n 10 .venv/bin/python bench/intake_profile.py --pg --posts 300 --profile
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import cpu_seconds, fresh_database, prepare_site, server_env  # noqa: E402

PG_NAME = "onestop_load_profile"
HOST = "127.0.0.1"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORY_SELECT = re.compile(r'<select name="category"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'value="(\d+)"')
CASE_NUMBER = re.compile(r'id="case-number">([^<]+)<')
LIBRARY = (os.sep + "site-packages" + os.sep, os.sep + "lib" + os.sep + "python")


def build_database(args, workdir: Path) -> dict[str, str]:
    if args.pg:
        url = (f"postgres://postgres@127.0.0.1:5432/{PG_NAME}" if args.reuse
               else fresh_database("postgres", PG_NAME))
    else:
        url = f"sqlite:///{workdir / 'intake_profile.sqlite3'}"
    env = server_env(url, "intake_profile")
    env["ONESTOP_VAR_DIR"] = str(workdir / "var")
    if not args.reuse:
        with open(workdir / "prepare.log", "ab") as log:
            prepare_site(env, log)
    return env


def form_data(rng: random.Random, index: int, csrf: str, categories: list[str],
              group_share: float | None = None) -> dict:
    from cases.identity import make_credit_code, make_mobile, make_resident_id

    return {
        "csrfmiddlewaretoken": csrf,
        "submission_token": f"profile-{os.getpid()}-{index:06d}-xxxxxxxx",
        "complainant_type": "individual",
        "complainant_name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["秀英", "建国", "丽华"]),
        "complainant_id_number": make_resident_id(rng, region="140581"),
        "complainant_phone": make_mobile(rng),
        "employer_name": "压力测试建材有限公司",
        "employer_credit_code": make_credit_code(rng, region="140581"),
        "category": rng.choice(categories),
        "facts": f"第 {index} 份剖析提交：单位未按时足额申报缴费，税务部门加收滞纳金。",
        "request": "请求核实并依法处理。",
        # Default 1–30 people (most reach the group warning); --group-share 0.1 is
        # bench/intake_bench.py's mix: one person, and now and then a group.
        "people_count": str(rng.randint(1, 30) if group_share is None
                            else 1 if rng.random() >= group_share else rng.randint(2, 30)),
        "privacy_consent": "on",
        "homepage_url": "",
    }


def origin(stack) -> str:
    """The innermost project frame (who asked), with the innermost library frame (what ran)."""
    own, lib = "", ""
    for frame in reversed(stack):
        path = frame.filename
        if any(part in path for part in LIBRARY) or not path.startswith(str(ROOT)):
            if not lib and "django/db" not in path:
                lib = f"{Path(path).parent.name}/{Path(path).name}:{frame.name}"
            continue
        if path.endswith("intake_profile.py"):
            break
        own = f"{Path(path).relative_to(ROOT)}:{frame.lineno} {frame.name}"
        break
    return f"{own or '(no project frame)'}  ← {lib}" if lib else own or "(no project frame)"


def backend_cpu(connection) -> tuple[int, float] | None:
    """(pid, CPU milliseconds so far) of this connection's PostgreSQL backend, read from /proc
    (the server runs on this machine); None when it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    seconds = cpu_seconds(pid)
    return None if seconds is None else (pid, seconds * 1000)


class Recorder:
    def __init__(self):
        self.rows: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        self.rows.append((origin(traceback.extract_stack()[:-1]), sql))
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", action="store_true", help=f"PostgreSQL ({PG_NAME})")
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile the POSTs")
    parser.add_argument("--group-share", type=float,
                        help="share of posts with 2–30 people (intake_bench: 0.1); default 1–30 each")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--stats-file", help="also save the cProfile statistics here (pstats)")
    parser.add_argument("--reuse", help="existing work directory (skip migrate/setup_demo)")
    parser.add_argument("--reconnect", action="store_true",
                        help="close the DB connection after each request (CONN_MAX_AGE=0)")
    args = parser.parse_args()
    workdir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="intake-profile-"))
    started = time.monotonic()
    env = build_database(args, workdir)
    print(f"数据库就绪（{time.monotonic() - started:.0f} 秒）：{env['DATABASE_URL']}  工作目录 {workdir}")
    os.environ.update(env)

    import django

    django.setup()
    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases.models import Case

    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
    response = client.get("/submit/gaoping/")
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    csrf = CSRF_INPUT.search(html).group(1)
    categories = OPTION_VALUE.findall(CATEGORY_SELECT.search(html).group(1))
    rng = random.Random(7)

    def post(index: int):
        data = form_data(rng, index, csrf, categories, args.group_share)
        t0 = time.perf_counter()
        # Form-encoded, as bench/load_intake.py and a browser without a photo send it.
        resp = client.post("/submit/gaoping/", urlencode(data),
                           content_type="application/x-www-form-urlencoded")
        elapsed = (time.perf_counter() - t0) * 1000
        body = resp.content.decode()
        if resp.status_code != 200 or not CASE_NUMBER.search(body):
            raise SystemExit(f"提交失败：{resp.status_code}\n{body[:3000]}")
        # Like bench/load_intake.py: each POST carries only the CSRF cookie (a new visitor).
        client.cookies.pop(settings.SESSION_COOKIE_NAME, None)
        if args.reconnect:
            close_old_connections()
            connection.close()
        return elapsed

    for i in range(args.warmup):
        post(i)
    recorder = Recorder()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
        post(args.warmup)
    times, counts = [], []
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    backend_before = backend_cpu(connection) if args.pg else None
    cpu_before = time.process_time()
    # Counted by a wrapper, not the debug cursor: logging renders every statement with its
    # values, which production does not do and which would be measured along.
    counter = Counter()

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    for i in range(args.posts):
        counter["n"] = 0
        with connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            times.append(post(args.warmup + 1 + i))
            if profiler:
                profiler.disable()
        counts.append(counter["n"])
    cpu_ms = (time.process_time() - cpu_before) * 1000 / args.posts
    backend_after = backend_cpu(connection) if args.pg else None
    times.sort()
    engine = "PostgreSQL" if args.pg else "SQLite"
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"\n{engine}：{args.posts} 次 POST，中位数 {statistics.median(times):.2f} 毫秒，"
          f"p95 {p95:.2f} 毫秒，平均 {statistics.fmean(times):.2f} 毫秒；"
          f"每次 SQL {min(counts)}–{max(counts)} 条（案件共 {Case.objects.count()} 件）")
    cpu = f"每次 POST 的 CPU：本进程 {cpu_ms:.2f} 毫秒"
    if backend_before and backend_after and backend_before[0] == backend_after[0]:
        cpu += f"，PostgreSQL 后端 {(backend_after[1] - backend_before[1]) / args.posts:.2f} 毫秒"
    print(cpu + "（比墙钟时间稳定，用于前后对比）")
    print(f"\n一次 POST 的 SQL（{len(captured)} 条），按发出位置分组：")
    groups: dict[str, list[str]] = {}
    for where, sql in recorder.rows:
        groups.setdefault(where, []).append(sql)
    for where, sqls in groups.items():
        print(f"  {len(sqls):3d}  {where}")
        for sql, n in Counter(" ".join(s.split())[:150] for s in sqls).items():
            print(f"         {f'{n}× ' if n > 1 else ''}{sql}")
    if profiler:
        import pstats

        print(f"\ncProfile（{args.posts} 次 POST，按累计时间）：")
        if args.stats_file:
            profiler.dump_stats(args.stats_file)
        stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
        stats.print_stats(args.top)
        print("按自身时间：")
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
