"""Intake throughput beside its baselines, in one run against one gunicorn (issue #11).

    nice -n 10 .venv/bin/python bench/intake_bench.py [--clients 32] [--seconds 30] [--rounds 2]

A fresh PostgreSQL database `onestop_load_throughput` (dropped and created; `--db sqlite` for a
file under var/bench/) gets both mechanisms, the portal pages, the two baselines of
bench/baseline/ (`bench.baseline_settings`) and `--existing` demo cases per mechanism (2000;
`seed_demo --bulk`, then ANALYZE: a county with history, as in production — on an empty
database the case table grows from nothing during the run and the foreign-key checks' cached
plans scan it whole for every new row until autovacuum analyzes it; `--existing 0` for that):

- bare: baseline A of ../shared/docs/performance.md (the view the issue's "stock Wagtail is
  2.1–3.7× slower" was measured against): a plain Django view validating the intake form's ten
  fields and saving one row and its simple-history row;
- bare_plain: the same view saving the row without history (measured for reference; no goal ratio);
- wagtail: a stock Wagtail form-builder page (AbstractEmailForm, ten FormFields) storing its
  FormSubmission;
- intake: the real 我要反映 form of 高平 — case, number, history row, timeline event, outbox row
  and one-time token, answered with the receipt.

The same gunicorn (production settings, `--workers` sync workers) serves all four; `--clients`
concurrent clients (in `--procs` processes) post to one target at a time for `--seconds` after
`--warmup` seconds, and the targets take turns for `--rounds` rounds. Only answers that prove
the save count (the saved row's id, the landing page, the receipt with a case number).
Each run also reports the CPU milliseconds per request of the gunicorn workers, of the
PostgreSQL backends serving the bench database (read from /proc: the server must run on this
machine) and of the clients themselves: all three share the machine's cores, so the
throughput is set by their sum. Results go to var/bench/intake-result-<db>-<clients>.json;
`make bench` (bench/run.py) renders the 32- and 50-client tables into docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import random
import re
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import (  # noqa: E402
    BENCH_VAR,
    Server,
    cpu_seconds,
    drop_database,
    free_port,
    fresh_database,
    manage,
    prepare_site,
    server_env,
)

TARGETS = {
    "bare": ("/bench-bare/", re.compile(r'id="saved"')),
    "bare_plain": ("/bench-bare-plain/", re.compile(r'id="saved"')),
    "wagtail": ("/bench-wagtail-form/", re.compile(r'id="landed"')),
    "intake": ("/submit/gaoping/", re.compile(r'id="case-number">[^<]+<')),
}
LABELS = {"bare": "裸 Django 表单视图（存一行及其历史行）",
          "bare_plain": "裸 Django 表单视图（只存一行，不记历史）", "wagtail": "原版 Wagtail 表单页（FormSubmission）",
          "intake": "本系统进件（案件、编号、历史、办理记录、通知、令牌）"}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SELECT = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="([^"]+)"')
INPUT_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
REGION = "140581"
CPU_KINDS = ("server", "database", "clients")


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


class Poster:
    """One client of one target: loads the form once (CSRF cookie, choices), then posts."""

    def __init__(self, target: str, port: int, seed: str):
        self.target, self.port, self.seed = target, port, seed
        self.path, self.ok = TARGETS[target]
        self.index = 0
        status, cookie, body = request(port, "GET", self.path)
        html = body.decode()
        found = re.search(r"csrftoken=([^;]+)", cookie)
        if status != 200 or not found:
            raise RuntimeError(f"{target}: GET {self.path} → {status}")
        self.cookie = found.group(1)
        self.csrf = CSRF_INPUT.search(html).group(1)
        self.choices = {name: [v for v in OPTION.findall(options) if v]
                        for name, options in SELECT.findall(html)}
        self.names = [n for n in dict.fromkeys(INPUT_NAME.findall(html))
                      if n != "csrfmiddlewaretoken"]

    def data(self) -> dict[str, str]:
        from cases.identity import make_credit_code, make_mobile, make_resident_id

        self.index += 1
        rng = random.Random(f"{self.seed}-{self.index}")
        person = {
            "name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["秀英", "建国", "丽华", "志强"]),
            "id": make_resident_id(rng, region=REGION), "phone": make_mobile(rng),
            "employer": "压力测试建材有限公司", "code": make_credit_code(rng, region=REGION),
            "facts": f"第 {self.index} 份基准提交：单位未按时足额申报缴费，税务部门加收滞纳金。",
            "request": "请求核实并依法处理。",
            # Mostly one person; now and then a group, which the group-size warning rule
            # (≥ 10 people in the demo mechanisms) turns into a warning and a notice.
            "people": str(1 if rng.random() < 0.9 else rng.randint(2, 30)),
        }
        if self.target in ("bare", "bare_plain"):
            return {"name": person["name"], "id_number": person["id"], "phone": person["phone"],
                    "employer_name": person["employer"], "employer_credit_code": person["code"],
                    "category": "欠缴社会保险费", "facts": person["facts"],
                    "request": person["request"], "people_count": person["people"],
                    "consent": "on"}
        if self.target == "wagtail":  # the form builder names its inputs; take them in order
            values = [person["name"], person["id"], person["phone"], person["employer"],
                      person["code"], rng.choice(self.choices.get(self.names[5], ["其他"])),
                      person["facts"], person["request"], person["people"], "on"]
            return dict(zip(self.names, values, strict=True))
        return {"submission_token": f"bench-{self.seed}-{self.index:07d}",
                "complainant_type": "individual", "complainant_name": person["name"],
                "complainant_id_number": person["id"], "complainant_phone": person["phone"],
                "employer_name": person["employer"], "employer_credit_code": person["code"],
                "category": rng.choice(self.choices["category"]), "facts": person["facts"],
                "request": person["request"], "people_count": person["people"],
                "privacy_consent": "on", "homepage_url": ""}

    def post(self) -> tuple[bool, float, int]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **self.data()}).encode()
        started = time.perf_counter()
        status, _, raw = request(self.port, "POST", self.path, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.cookie}"})
        elapsed = time.perf_counter() - started
        return status == 200 and bool(self.ok.search(raw.decode(errors="replace"))), elapsed, status


def client_process(target: str, port: int, threads: int, warmup: float, seconds: float,
                   seed: str, queue) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.baseline_settings")
    import django

    django.setup()  # only for Wagtail's field-name helper and the identity generators
    start_at = time.monotonic() + 1.0
    measure_from, stop_at = start_at + warmup, start_at + warmup + seconds
    results = {"ok": 0, "failed": 0, "statuses": {}, "latencies": [], "answered": 0}
    lock = threading.Lock()

    def work(n: int) -> None:
        poster = Poster(target, port, f"{seed}-{n}")
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while (now := time.monotonic()) < stop_at:
            try:
                ok, elapsed, status = poster.post()
            except (OSError, http.client.HTTPException):
                ok, elapsed, status = False, 0.0, 0
            with lock:
                results["answered"] += 1  # warm-up too: the CPU per request below counts it
            if now < measure_from or time.monotonic() > stop_at:
                continue  # warm-up, or finished after the window: not counted
            with lock:
                results["ok" if ok else "failed"] += 1
                results["statuses"][status] = results["statuses"].get(status, 0) + 1
                if ok:
                    results["latencies"].append(elapsed)

    pool = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(threads)]
    for thread in pool:
        thread.start()
    while time.monotonic() < start_at:  # the form GETs and django.setup() are not counted
        time.sleep(0.005)
    cpu_from = time.process_time()
    for thread in pool:
        thread.join()
    results["cpu_s"] = time.process_time() - cpu_from
    queue.put(results)


class CpuWatch(threading.Thread):
    """CPU seconds of the gunicorn workers and of the PostgreSQL backends serving `database`
    (the server on this machine), by process id, from /proc. Polled every second while a target
    runs: a worker's connection is replaced after CONN_MAX_AGE, and its backend's CPU would be
    lost with the process if only the start and the end were read."""

    def __init__(self, server_pid: int, database: str):
        super().__init__(daemon=True)
        self.server_pid, self.marker = server_pid, f" {database} ".encode()
        self.kinds: dict[int, str | None] = {}
        self.seen: dict[str, dict[int, float]] = {"server": {}, "database": {}}
        self.stopped = threading.Event()
        self.poll()
        self.before = {kind: dict(pids) for kind, pids in self.seen.items()}

    def _kind(self, pid: int) -> str | None:
        if pid not in self.kinds:
            try:
                parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ") + b" "
            except (OSError, ValueError, IndexError):
                return None
            self.kinds[pid] = ("server" if parent == self.server_pid else "database"
                               if cmdline.startswith(b"postgres") and self.marker in cmdline else None)
        return self.kinds[pid]

    def poll(self) -> None:
        if not Path("/proc").exists():
            return
        for entry in os.listdir("/proc"):
            kind = self._kind(int(entry)) if entry.isdigit() else None
            seconds = cpu_seconds(int(entry)) if kind else None
            if seconds is not None:
                self.seen[kind][int(entry)] = seconds

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            self.poll()

    def used(self) -> dict[str, float | None]:
        """CPU seconds per kind since the start (None: no such process was found)."""
        self.stopped.set()
        self.join()
        self.poll()
        return {kind: sum(s - self.before[kind].get(pid, 0.0) for pid, s in pids.items())
                if pids else None for kind, pids in self.seen.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def run_target(target: str, port: int, args, round_no: int, server_pid: int | None = None,
               database: str = "") -> dict:
    queue = mp.get_context("fork").Queue()
    per = [args.clients // args.procs + (1 if i < args.clients % args.procs else 0)
           for i in range(args.procs)]
    procs = [mp.get_context("fork").Process(
        target=client_process,
        args=(target, port, n, args.warmup, args.seconds, f"{args.run}-{round_no}-{i}", queue))
        for i, n in enumerate(per) if n]
    load_before = os.getloadavg()[0]
    watch = CpuWatch(server_pid, database) if server_pid else None
    if watch:
        watch.start()
    for proc in procs:
        proc.start()
    parts = [queue.get(timeout=args.warmup + args.seconds + 120) for _ in procs]
    for proc in procs:
        proc.join()
    answered = sum(part["answered"] for part in parts)
    cpu_ms = {}
    if watch:
        used = watch.used()
        used["clients"] = sum(part["cpu_s"] for part in parts)
        cpu_ms = {kind: None if seconds is None or not answered
                  else round(seconds * 1000 / answered, 2) for kind, seconds in used.items()}
    latencies = [x for part in parts for x in part["latencies"]]
    ok = sum(part["ok"] for part in parts)
    statuses: dict[str, int] = {}
    for part in parts:
        for status, count in part["statuses"].items():
            statuses[str(status)] = statuses.get(str(status), 0) + count
    return {"target": target, "round": round_no, "ok": ok,
            "failed": sum(part["failed"] for part in parts), "statuses": statuses,
            "per_s": round(ok / args.seconds, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000),
            "p95_ms": round(percentile(latencies, 0.95) * 1000),
            "load": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "cpu_ms": cpu_ms}


def render(summary: dict) -> str:
    rows, best = [], summary["totals"]
    for target in TARGETS:
        runs = [r for r in summary["runs"] if r["target"] == target]
        rows.append(f"| {LABELS[target]} | {best[target]['per_s']} | "
                    + " / ".join(f"{r['per_s']}" for r in runs)
                    + f" | {best[target]['p50_ms']} / {best[target]['p95_ms']} | "
                    + f"{sum(r['failed'] for r in runs)} |")
    cpu_rows = []
    for target in TARGETS:
        runs = [r["cpu_ms"] for r in summary["runs"] if r["target"] == target and r.get("cpu_ms")]
        if runs:
            mean = {kind: None if any(r.get(kind) is None for r in runs)
                    else sum(r[kind] for r in runs) / len(runs) for kind in CPU_KINDS}
            known = [value for value in mean.values() if value is not None]
            cpu_rows.append(f"| {LABELS[target]} | "
                            + " | ".join("—" if mean[k] is None else f"{mean[k]:.2f}" for k in CPU_KINDS)
                            + f" | {sum(known):.2f}{'' if len(known) == len(mean) else '（不全）'} |")
    cpu_table = ["", "每个请求用的 CPU（毫秒，各轮平均；预热的请求也计入，服务器和客户端在同一台机器上，"
                 "吞吐由三者之和决定）：", "",
                 "| 对象 | gunicorn 工作进程 | PostgreSQL 后端 | 压测客户端 | 合计 |",
                 "|---|---:|---:|---:|---:|", *cpu_rows] if cpu_rows else []
    ratio_w = best["intake"]["per_s"] / best["wagtail"]["per_s"] if best["wagtail"]["per_s"] else 0
    ratio_b = best["intake"]["per_s"] / best["bare"]["per_s"] if best["bare"]["per_s"] else 0
    plain = best["bare_plain"]["per_s"]
    m = summary["machine"]
    return "\n".join([
        f"### 进件吞吐：{summary['clients']} 个并发客户端（`bench/intake_bench.py`，{m['date']}）", "",
        f"- {m['engine']}，gunicorn {summary['workers']} 个同步工作进程，{summary['clients']} 个并发客户端"
        f"（{summary['procs']} 个进程），每个对象每轮预热 {summary['warmup']:.0f} 秒后计 "
        f"{summary['seconds']:.0f} 秒，{len(best)} 个对象轮流测 {summary['rounds']} 轮；机器 {m['cores']} 核，"
        f"1 分钟平均负载 {summary['runs'][0]['load'][0]}–{max(r['load'][1] for r in summary['runs'])}。"
        + (f"库里每个机制预先有 {summary['existing']} 件（随后 ANALYZE）。" if summary.get("existing")
           else "空库起测。"),
        "- 只计能证明已保存的回答（裸视图回显行号、Wagtail 落地页、带受理编号的回执）。", "",
        "| 对象 | 每秒成功提交（各轮合计） | 各轮 | p50 / p95（毫秒） | 失败 |",
        "|---|---:|---:|---:|---:|", *rows, *cpu_table, "",
        f"本系统 ÷ 原版 Wagtail 表单页 = **{ratio_w:.2f}×**（目标 ≥ 1.5×）；"
        f"本系统 ÷ 裸 Django 视图（存一行及其历史行，即 ../shared/docs/performance.md 的基准 A）"
        f"= **{ratio_b:.2f}×**（目标 ≥ 0.5×）"
        + (f"；÷ 不记历史的裸视图 = {best['intake']['per_s'] / plain:.2f}×（仅供参考）。" if plain
           else "。"),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--procs", type=int, default=2, help="客户端进程数")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn 工作进程数")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--existing", type=int, default=2000,
                        help="每个机制预先有的案件数（seed_demo --bulk，随后 ANALYZE）；0 为空库")
    parser.add_argument("--keep", action="store_true", help="保留 PostgreSQL 测试库")
    parser.add_argument("--only", choices=list(TARGETS), action="append",
                        help="只测某一对象（可重复；比较改动前后用，不写比值表）")
    args = parser.parse_args()
    args.run = f"{int(time.time()):x}"

    name = f"onestop_load_throughput_{args.db}"
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    log_path = BENCH_VAR / f"{name}.log"
    log_path.unlink(missing_ok=True)
    env = {**server_env(fresh_database(args.db, name), name),
           "DJANGO_SETTINGS_MODULE": "bench.baseline_settings"}
    print(f"准备数据库 {name} …", flush=True)
    with open(log_path, "ab") as log:
        prepare_site(env, log)
        manage(env, "bench_baseline_page", log=log, quiet=True)
        if args.existing:
            # A county with history and fresh planner statistics. On an empty database the case
            # table grows from nothing during the run, and the foreign-key checks' cached plans
            # (made while it was tiny) scan it whole for every new row until autovacuum analyzes it.
            manage(env, "seed_demo", "--bulk", "--cases", str(args.existing), log=log, quiet=True)
            manage(env, "shell", "-c", "from django.db import connection; "
                   "connection.cursor().execute('ANALYZE')", log=log, quiet=True)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "ONESTOP_FIELD_KEY",
                                           "ONESTOP_HASH_KEY", "ALLOWED_HOSTS",
                                           "ONESTOP_VAR_DIR", "STATIC_ROOT")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline_settings"
    server = Server(env, workers=args.workers, port=free_port(), log_path=log_path)
    server.start()
    runs = []
    try:
        for round_no in range(1, args.rounds + 1):
            for target in args.only or TARGETS:
                result = run_target(target, server.port, args, round_no, server.proc.pid, name)
                runs.append(result)
                print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        server.stop()
    if args.only:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.db, name)
        return 0
    totals = {}
    for target in TARGETS:
        mine = [r for r in runs if r["target"] == target]
        ok = sum(r["ok"] for r in mine)
        totals[target] = {"per_s": round(ok / (args.seconds * len(mine)), 1),
                          "p50_ms": sorted(r["p50_ms"] for r in mine)[len(mine) // 2],
                          "p95_ms": max(r["p95_ms"] for r in mine)}
    engine = "PostgreSQL" if args.db == "postgres" else "SQLite（WAL）"
    summary = {"machine": {"engine": engine, "cores": os.cpu_count(),
                           "uname": " ".join(platform.uname()),
                           "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")},
               "clients": args.clients, "procs": args.procs, "workers": args.workers,
               "seconds": args.seconds, "warmup": args.warmup, "rounds": args.rounds,
               "existing": args.existing, "runs": runs, "totals": totals}
    summary["table"] = render(summary)
    (BENCH_VAR / f"intake-result-{args.db}-{args.clients}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=1))
    print(summary["table"])
    tracebacks = log_path.read_text(errors="replace").count("Traceback (most recent call last)")
    if tracebacks:
        print(f"服务器日志中有 {tracebacks} 个异常，见 {log_path}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(args.db, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
