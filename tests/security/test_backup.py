"""backup → restore into a fresh database and fresh file trees: every row and file identical.

Runs manage.py as subprocesses against scratch databases: a SQLite file under tmp_path, and on
PostgreSQL two scratch databases created and dropped with psql."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Site:
    """One scratch deployment: a database URL and its own MEDIA_ROOT / PRIVATE_ROOT."""

    def __init__(self, base: Path, database_url: str):
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "MEDIA_ROOT", "PRIVATE_ROOT")}
        self.env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", SECRET_KEY="backup-test",
                        DATABASE_URL=database_url, MEDIA_ROOT=str(base / "media"),
                        PRIVATE_ROOT=str(base / "private"), LOG_LEVEL="WARNING")

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=600)
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code).stdout

    def fingerprint(self) -> dict:
        out = self.shell("from tests.security.backup_helpers import fingerprint; fingerprint()")
        line = next(x for x in out.splitlines() if x.startswith("FINGERPRINT"))
        return json.loads(line[len("FINGERPRINT"):])


def round_trip(source: Site, target: Site, backup_dir: Path) -> None:
    source.manage("migrate", "--no-input", "-v", "0")
    source.shell("from tests.security.backup_helpers import seed; seed()")
    before = source.fingerprint()
    assert before["cases.Case"][0] == 3 and before["cases.Attachment"][0] == 3
    assert before["docgen.Document"][0] == 3 and len(before["private"]) >= 6
    assert before["media"]

    out = source.manage("backup", str(backup_dir)).stdout
    assert "备份完成" in out
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["counts"]["cases_case"] == 3
    assert all(len(digest) == 64 for digest in manifest["files"].values())
    assert oct((backup_dir).stat().st_mode)[-3:] == "700"

    out = target.manage("restore", str(backup_dir)).stdout
    assert "恢复完成" in out
    after = target.fingerprint()
    assert after == before
    restored = target.shell(
        "from security.models import AuditEvent; print(AuditEvent.objects.filter(action='restore').count())")
    assert restored.strip().endswith("1")


def refuses_tampering(target: Site, backup_dir: Path) -> None:
    tampered = backup_dir.parent / "tampered"
    shutil.copytree(backup_dir, tampered)
    victim = next(p for p in (tampered / "private").rglob("*") if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    result = target.manage("restore", str(tampered), check=False)
    assert result.returncode != 0 and "备份与清单不一致" in result.stderr and "内容不符" in result.stderr
    (tampered / "extra.txt").write_text("x")
    victim.unlink()
    result = target.manage("restore", str(tampered), check=False)
    assert "缺少" in result.stderr and "多出" in result.stderr


def test_sqlite_round_trip_is_identical(tmp_path):
    source = Site(tmp_path / "a", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    target = Site(tmp_path / "b", f"sqlite:///{tmp_path / 'b.sqlite3'}")
    round_trip(source, target, tmp_path / "backup")
    refuses_tampering(target, tmp_path / "backup")
    # A backup never overwrites an earlier one.
    result = source.manage("backup", str(tmp_path / "backup"), check=False)
    assert result.returncode != 0 and "不是空目录" in result.stderr


def _postgres_server() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not shutil.which("psql") \
            or not shutil.which("pg_dump"):
        return None
    return url


@pytest.mark.postgres
def test_postgresql_round_trip_is_identical(tmp_path):
    url = _postgres_server()
    if url is None:
        pytest.skip("未配置 PostgreSQL（DATABASE_URL）或缺少 psql/pg_dump，跳过 PostgreSQL 备份恢复测试")
    parts = urlsplit(url)
    names = [f"onestop_backup_{tag}_{uuid.uuid4().hex[:8]}" for tag in ("src", "dst")]
    admin = urlunsplit(parts._replace(path="/postgres"))

    def psql(sql: str) -> None:
        subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True,
                       capture_output=True, timeout=60)

    try:
        for name in names:
            psql(f'CREATE DATABASE "{name}"')
    except subprocess.CalledProcessError as error:
        pytest.skip(f"无法创建临时 PostgreSQL 数据库：{error.stderr.decode(errors='replace')}")
    try:
        source, target = (Site(tmp_path / n, urlunsplit(parts._replace(path=f"/{n}")))
                          for n in names)
        round_trip(source, target, tmp_path / "backup")
        refuses_tampering(target, tmp_path / "backup")
    finally:
        for name in names:
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
