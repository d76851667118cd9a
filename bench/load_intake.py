"""Load test of the public intake form: no submission may be lost (docs/reliability.md).

Creates a fresh database, starts gunicorn (production settings, loopback only) and posts
`--count` intake forms from `--clients` concurrent clients, each with its own one-time token and
valid ID numbers. Then it checks the database against what the clients were told:
as many cases as receipts, unique gap-free numbers, no 5xx, every receipt's case present.

`--kill N` kills the gunicorn master and workers with SIGKILL N times during the load and starts
it again; clients whose request was cut off retry with the same token (the double-submit
guard makes that safe), as a person pressing "submit" again would.

    nice -n 10 .venv/bin/python bench/load_intake.py --db postgres
    nice -n 10 .venv/bin/python bench/load_intake.py --db sqlite --workers 2 --kill 2
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._server import (  # noqa: E402
    BENCH_VAR,
    Server,
    check_database,
    drop_database,
    free_port,
    fresh_database,
    prepare_site,
    server_env,
)

FORMS = {"gaoping": ("/submit/gaoping/", "140581"), "yuanjiang": ("/submit/yuanjiang/", "430981")}
CASE_NUMBER = re.compile(r'id="case-number">([^<]+)<')
QUERY_CODE = re.compile(r'id="query-code">([^<]+)<')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CATEGORY_SELECT = re.compile(r'<select name="category"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'value="(\d+)"')
ERROR_TEXT = re.compile(r'<div class="error-summary".*?</div>|class="errorlist[^"]*">(.*?)</ul>',
                        re.S)
TRANSIENT = (ConnectionError, http.client.HTTPException, TimeoutError, OSError)


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_index: int = 0
    acked: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (number, code)
    sent: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # answered, but no case number
    retries: int = 0
    cut_off: set[str] = field(default_factory=set)  # tokens whose request got no answer
    gave_up: list[str] = field(default_factory=list)

    def take(self, count: int) -> int | None:
        with self.lock:
            if self.next_index >= count:
                return None
            self.next_index += 1
            return self.next_index - 1


class Client(threading.Thread):
    """One person after another at the same browser: GET the form once, then post forms."""

    def __init__(self, number: int, *, port: int, mechanism: str, run: str, args, stats: Stats,
                 deadline: float):
        super().__init__(name=f"client-{number}", daemon=True)
        self.port, self.run_id, self.args, self.stats = port, run, args, stats
        self.path, self.region = FORMS[mechanism]
        self.deadline = deadline
        self.csrf_cookie = self.csrf_token = ""
        self.categories: list[str] = []

    def request(self, method: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.args.http_timeout)
        try:
            conn.request(method, self.path, body=body,
                         headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.getheader("Set-Cookie") or "", response.read()
        finally:
            conn.close()

    def load_form(self) -> None:
        while time.monotonic() < self.deadline:
            try:
                status, cookie, body = self.request("GET")
            except TRANSIENT:
                time.sleep(0.5)
                continue
            html = body.decode()
            found = re.search(r"csrftoken=([^;]+)", cookie)
            select = CATEGORY_SELECT.search(html)
            if status == 200 and found and select:
                self.csrf_cookie = found.group(1)
                self.csrf_token = CSRF_INPUT.search(html).group(1)
                self.categories = OPTION_VALUE.findall(select.group(1))
                return
            time.sleep(0.5)
        raise TimeoutError("表单页取不到")

    def form_data(self, index: int) -> tuple[str, dict[str, str]]:
        from cases.identity import make_credit_code, make_mobile, make_resident_id

        rng = random.Random(f"{self.run_id}-{index}")
        token = f"load-{self.run_id}-{index:06d}"
        data = {
            "csrfmiddlewaretoken": self.csrf_token,
            "submission_token": token,
            "complainant_type": "individual",
            "complainant_name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["秀英", "建国", "丽华", "志强"]),
            "complainant_id_number": make_resident_id(rng, region=self.region),
            "complainant_phone": make_mobile(rng),
            "employer_name": "压力测试建材有限公司",
            "employer_credit_code": make_credit_code(rng, region=self.region),
            "category": rng.choice(self.categories),
            "facts": f"第 {index} 份压力测试提交：单位未按时足额申报缴费，税务部门加收滞纳金。",
            "request": "请求核实并依法处理。",
            "people_count": str(rng.randint(1, 30)),
            "privacy_consent": "on",
            "homepage_url": "",
        }
        return token, data

    def run(self) -> None:
        try:
            self.load_form()
        except TimeoutError:
            return
        while time.monotonic() < self.deadline:
            index = self.stats.take(self.args.count)
            if index is None:
                return
            self.submit(*self.form_data(index))

    def submit(self, token: str, data: dict[str, str]) -> None:
        stats = self.stats
        with stats.lock:
            stats.sent.add(token)
        for attempt in range(self.args.attempts):
            if time.monotonic() > self.deadline:
                break
            if attempt:
                with stats.lock:
                    stats.retries += 1
            data["csrfmiddlewaretoken"] = self.csrf_token
            body = urllib.parse.urlencode(data).encode()
            started = time.perf_counter()
            try:
                status, _, raw = self.request("POST", body, {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={self.csrf_cookie}"})
            except TRANSIENT:
                with stats.lock:
                    stats.cut_off.add(token)
                # Cut off (server killed, or restarting): the case may or may not exist. Post the
                # same token again; the guard answers with the receipt if it does.
                time.sleep(0.5)
                continue
            elapsed = time.perf_counter() - started
            html = raw.decode(errors="replace")
            with stats.lock:
                stats.latencies.append(elapsed)
                stats.statuses[status] = stats.statuses.get(status, 0) + 1
            number, code = CASE_NUMBER.search(html), QUERY_CODE.search(html)
            if status == 200 and number and code:
                with stats.lock:
                    stats.acked[token] = (number.group(1).strip(), code.group(1).strip())
                return
            if status >= 500:
                with stats.lock:
                    stats.server_errors.append(f"{status} {token}")
                time.sleep(0.5)
                continue
            if status == 403:  # CSRF cookie lost: fetch the form again, like a reload
                self.load_form()
                continue
            errors = " ".join(" ".join(m.group(0).split()) for m in ERROR_TEXT.finditer(html))
            with stats.lock:
                stats.rejected.append(f"{status} {token} {re.sub('<[^>]+>', ' ', errors)[:200]}")
            return
        with stats.lock:
            stats.gave_up.append(token)


def killer(server: Server, stats: Stats, args, events: list[dict]) -> None:
    """Kill at evenly spaced points of the load, then start the server again."""
    marks = [args.count * (k + 1) // (args.kill + 1) for k in range(args.kill)]
    for mark in marks:
        while True:
            with stats.lock:
                done = len(stats.acked)
                finished = stats.next_index >= args.count
            if done >= mark or finished:
                break
            time.sleep(0.05)
        if finished and done < mark:
            return
        killed_at = time.monotonic()
        server.kill()
        time.sleep(args.down_seconds)
        server.start()
        events.append({"after_receipts": done,
                       "downtime_s": round(time.monotonic() - killed_at, 2)})


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--db-name", default="", help="默认 onestop_load_<db>；PostgreSQL 上会先删除再创建")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数")
    parser.add_argument("--kill", type=int, nargs="?", const=1, default=0,
                        help="负载中用 SIGKILL 杀掉 gunicorn 的次数（单独写 --kill 为 1 次）")
    parser.add_argument("--down-seconds", type=float, default=2.0)
    parser.add_argument("--attempts", type=int, default=40, help="每份表单最多尝试次数")
    parser.add_argument("--http-timeout", type=float, default=120)
    parser.add_argument("--max-seconds", type=float, default=1800, help="负载阶段的总时限")
    parser.add_argument("--keep", action="store_true", help="保留 PostgreSQL 测试库")
    args = parser.parse_args()
    if not 1 <= args.count <= 50_000 or not 1 <= args.clients <= 200:
        parser.error("--count 限 1–50000，--clients 限 1–200")

    name = args.db_name or f"onestop_load_{args.db}"
    run_id = f"{int(time.time()):x}"
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    log_path = BENCH_VAR / f"{name}.log"
    log_path.unlink(missing_ok=True)
    env = server_env(fresh_database(args.db, name), name)
    print(f"准备数据库 {name}（迁移、载入机制与门户页面）…", flush=True)
    t0 = time.monotonic()
    with open(log_path, "ab") as log:
        prepare_site(env, log)
    print(f"  用时 {time.monotonic() - t0:.0f} 秒", flush=True)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY",
                                           "ONESTOP_FIELD_KEY", "ONESTOP_HASH_KEY",
                                           "ALLOWED_HOSTS", "ONESTOP_VAR_DIR", "STATIC_ROOT")})

    server = Server(env, workers=args.workers, port=free_port(), log_path=log_path)
    server.start()
    stats, kills = Stats(), []
    started = time.monotonic()
    deadline = started + args.max_seconds
    clients = [Client(n, port=server.port, mechanism=list(FORMS)[n % len(FORMS)], run=run_id,
                      args=args, stats=stats, deadline=deadline) for n in range(args.clients)]
    print(f"gunicorn {args.workers} 个工作进程，端口 {server.port}；{args.clients} 个客户端提交 "
          f"{args.count} 份表单{f'，中途 SIGKILL {args.kill} 次' if args.kill else ''}…", flush=True)
    for client in clients:
        client.start()
    kill_thread = None
    if args.kill:
        kill_thread = threading.Thread(target=killer, args=(server, stats, args, kills), daemon=True)
        kill_thread.start()
    last_report = started
    while any(c.is_alive() for c in clients) and time.monotonic() < deadline + 5:
        time.sleep(1)
        if time.monotonic() - last_report >= 30:
            last_report = time.monotonic()
            with stats.lock:
                print(f"  {last_report - started:.0f} 秒：回执 {len(stats.acked)} 份", flush=True)
    if kill_thread is not None:
        kill_thread.join(60)
    wall = time.monotonic() - started
    server.stop()

    result = check_database(stats.acked, stats.sent)
    server_log = log_path.read_text(errors="replace")
    tracebacks = server_log.count("Traceback (most recent call last)")
    problems = list(result["problems"])
    if stats.server_errors:
        problems.append(f"5xx 响应 {len(stats.server_errors)} 次，如 {stats.server_errors[:3]}")
    if stats.rejected:
        problems.append(f"未受理的回答 {len(stats.rejected)} 次，如 {stats.rejected[:2]}")
    if stats.gave_up or len(stats.sent) < args.count:
        problems.append(f"未完成的提交 {len(stats.gave_up) + args.count - len(stats.sent)} 份")
    if tracebacks:
        problems.append(f"服务器日志中有 {tracebacks} 个异常，见 {log_path}")
    if not args.kill and result["cases"] != len(stats.acked):
        problems.append(f"案件数 {result['cases']} ≠ 回执数 {len(stats.acked)}")

    summary = {
        "db": args.db, "workers": args.workers, "clients": args.clients, "count": args.count,
        "receipts": len(stats.acked), "cases": result["cases"],
        "unacknowledged_cases": result["unacked_in_db"], "sequences": result["sequences"],
        "statuses": stats.statuses,
        "retries": stats.retries, "cut_off_then_answered": len(stats.cut_off & set(stats.acked)),
        "kills": kills, "wall_s": round(wall, 1),
        "throughput_per_s": round(len(stats.acked) / wall, 1) if wall else 0,
        "p50_ms": round(percentile(stats.latencies, 0.50) * 1000),
        "p95_ms": round(percentile(stats.latencies, 0.95) * 1000),
        "max_ms": round(max(stats.latencies, default=0) * 1000),
        "problems": problems,
    }
    (BENCH_VAR / f"{name}-result.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    print("通过：没有丢失的提交。" if not problems else "未通过：" + "；".join(problems))
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(args.db, name)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
