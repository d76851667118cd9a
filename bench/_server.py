"""Helpers for bench/load_intake.py: a fresh database, a gunicorn server on loopback that can be
killed with SIGKILL and started again, and the database checks after the run."""

from __future__ import annotations

import base64
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_VAR = ROOT / "var" / "bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Only databases with this prefix are ever dropped: the script must not touch anyone else's.
DB_NAME = re.compile(r"^onestop_load[a-z0-9_]{0,40}$")


def fresh_database(engine: str, name: str) -> str:
    """Drop and create the bench database; return its DATABASE_URL."""
    if not DB_NAME.match(name):
        raise SystemExit(f"数据库名须以 onestop_load 开头（小写字母、数字、下划线）：{name}")
    if engine == "postgres":
        import psycopg
        from psycopg import sql

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    path = BENCH_VAR / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def drop_database(engine: str, name: str) -> None:
    if engine == "postgres" and DB_NAME.match(name):
        import psycopg
        from psycopg import sql

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) process `pid` of this machine has used; None if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def server_env(database_url: str, name: str) -> dict[str, str]:
    """Production settings (bench/load_settings.py), one secret key for the whole run so CSRF
    cookies survive a restart, media of this run under var/bench/<name>/."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        # Personal data is encrypted at rest in production; a throwaway key for a throwaway DB.
        "ONESTOP_FIELD_KEY": os.environ.get("ONESTOP_FIELD_KEY") or _random_key(),
        "ONESTOP_HASH_KEY": os.environ.get("ONESTOP_HASH_KEY") or _random_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "ONESTOP_VAR_DIR": str(BENCH_VAR / name),
        "STATIC_ROOT": str(BENCH_VAR / "static"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def manage(env: dict[str, str], *args: str, log, quiet: bool = False) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL if quiet else log, stderr=log)


def prepare_site(env: dict[str, str], log) -> None:
    """Migrate, load both mechanisms and the demo portal pages (no demo cases), and collect the
    static files the production manifest storage needs."""
    manage(env, "migrate", "--noinput", log=log)
    # setup_demo also sets an admin password: random, and its output is not kept.
    manage(env, "setup_demo", "--cases", "0", "--password", "pw" + secrets.token_urlsafe(16) + "aA1#",
           log=log, quiet=True)
    manage(env, "collectstatic", "--noinput", log=log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _no_control_socket() -> list[str]:
    # gunicorn ≥ 27 opens ~/.gunicorn/gunicorn.ctl: shared by every gunicorn of the user, and
    # left behind by SIGKILL. The load test needs none.
    from importlib.metadata import version

    return ["--no-control-socket"] if int(version("gunicorn").split(".")[0]) >= 27 else []


class Server:
    """gunicorn in its own process group, so SIGKILL reaches the master and every worker."""

    def __init__(self, env: dict[str, str], *, workers: int, port: int, log_path: Path):
        self.env, self.workers, self.port, self.log_path = env, workers, port, log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - kept open by the child
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--worker-class", "sync", "--timeout", "120", "--graceful-timeout", "10",
             "--backlog", "2048", "--chdir", str(ROOT), *_no_control_socket()],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn 启动失败，见 {self.log_path}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", "/", headers={"Host": "127.0.0.1"})
                status = conn.getresponse().status
                conn.close()
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn {timeout:.0f} 秒内未就绪，见 {self.log_path}")

    def kill(self) -> None:
        """SIGKILL to the master and all workers at once: no graceful shutdown of anything."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # workers are reparented and reaped by init
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def check_database(acked: dict[str, tuple[str, str]], sent_tokens: set[str]) -> dict:
    """Compare what the clients were told with what the database holds. `acked` maps each
    acknowledged submission token to the (case number, query code) on its receipt."""
    import django

    django.setup()
    from cases.models import Case, CaseCounter, TimelineEvent
    from forms.models import IntakeReceipt

    cases = list(Case.objects.values_list("pk", "number", "mechanism_id", "year", "seq",
                                          "query_code"))
    by_number = {number: (pk, code) for pk, number, _, _, _, code in cases}
    problems: list[str] = []
    if len(by_number) != len(cases):
        problems.append(f"受理编号重复：{len(cases) - len(by_number)} 个")
    seqs: dict[tuple[int, int], list[int]] = {}
    for _, _, mechanism, year, seq, _ in cases:
        seqs.setdefault((mechanism, year), []).append(seq)
    for key, values in seqs.items():
        values.sort()
        if values != list(range(1, len(values) + 1)):
            problems.append(f"编号不连续（机制 {key[0]}，{key[1]} 年）")
        counter = CaseCounter.objects.get(mechanism_id=key[0], year=key[1]).last_value
        if counter != len(values):
            problems.append(f"计数器 {counter} 与案件数 {len(values)} 不符（机制 {key[0]}）")
    lost = [t for t, (number, code) in acked.items() if by_number.get(number, (0, ""))[1] != code]
    if lost:
        problems.append(f"已回执但库中没有（或查询码不符）：{len(lost)} 件，如 {lost[:3]}")
    numbers = [number for number, _ in acked.values()]
    if len(set(numbers)) != len(numbers):
        problems.append("两次不同的提交拿到了同一个受理编号")
    receipts = dict(IntakeReceipt.objects.filter(case__isnull=False)
                    .values_list("token", "case__number"))
    wrong = [t for t, (number, _) in acked.items() if receipts.get(t) != number]
    if wrong:
        problems.append(f"提交令牌与受理编号对不上：{len(wrong)} 件")
    strangers = set(receipts) - sent_tokens
    if strangers:
        problems.append(f"库中有未发送过的令牌：{len(strangers)} 个")
    unreceipted = len(cases) - len(receipts)
    if unreceipted:
        problems.append(f"{unreceipted} 件案件没有提交令牌记录")
    with_event = set(TimelineEvent.objects.filter(action="register")
                     .values_list("case_id", flat=True))
    with_history = set(Case.history.filter(history_type="+").values_list("id", flat=True))
    half = [n for n, (pk, _) in by_number.items() if pk not in with_event or pk not in with_history]
    if half:
        problems.append(f"缺登记记录或历史行的案件：{len(half)} 件，如 {half[:3]}")
    prefixes = {number.rsplit("-", 2)[0]: (m, y) for _, number, m, y, _, _ in cases}
    sequences = {f"{prefix}-{key[1]}": f"1–{max(seqs[key])}（{len(seqs[key])} 件）"
                 for prefix, key in sorted(prefixes.items())}
    return {"cases": len(cases), "acked": len(acked), "sequences": sequences,
            "unacked_in_db": len(set(receipts) - set(acked)), "problems": problems}
