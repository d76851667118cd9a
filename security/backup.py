"""Backup and restore of the database, MEDIA_ROOT and PRIVATE_ROOT, with a checked manifest.

A backup directory holds ``db.sqlite3`` (SQLite backup API) or ``db.dump`` (pg_dump -Fc),
``media/``, ``private/`` and ``manifest.json``: the row count of every table and the sha256 of
every file. Restore verifies the manifest before it touches anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1
TREES = (("media", "MEDIA_ROOT"), ("private", "PRIVATE_ROOT"))
DB_FILES = {"sqlite": "db.sqlite3", "postgresql": "db.dump"}


class BackupError(Exception):
    pass


def _tables() -> list[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): _sha256(p)
            for p in sorted(directory.rglob("*")) if p.is_file() and p.name != MANIFEST}


def _vendor() -> str:
    if connection.vendor not in DB_FILES:
        raise BackupError(f"不支持的数据库类型：{connection.vendor}")
    return connection.vendor


# --- SQLite ---------------------------------------------------------------------------------

def _sqlite_counts(path: Path, tables: list[str]) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        present = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                for t in tables if t in present}
    finally:
        db.close()


def _sqlite_copy(source: str, target: str, *, single_file: bool) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)  # a consistent copy even while others write (WAL)
        if single_file:  # the backup is one file, no -wal/-shm beside it
            dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
        src.close()


# --- PostgreSQL -----------------------------------------------------------------------------

def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    # Connection details go through the environment: a password on the command line is
    # visible to every user of the machine in `ps`.
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                      ("PGPASSWORD", "PASSWORD"), ("PGDATABASE", "NAME")):
        if db.get(name):
            env[key] = str(db[name])
    if db.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run(args: list[str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"找不到 {args[0]}，请安装与数据库版本一致的 PostgreSQL 客户端。")
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 执行失败：{result.stderr.strip()[-2000:]}")


def _db_counts(tables: list[str]) -> dict[str, int]:
    existing = set(connection.introspection.table_names())
    qn = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


@contextmanager
def _pg_snapshot():
    """One REPEATABLE READ snapshot shared by pg_dump and our counts, so they agree."""
    if connection.in_atomic_block:
        yield None  # already inside a transaction (tests): dump without a shared snapshot
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor.fetchone()[0]


# --- backup ---------------------------------------------------------------------------------

def backup_create(*, directory: Path) -> dict:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"备份目录不是空目录：{directory}（不覆盖已有备份）")
    vendor = _vendor()
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)  # personal data: readable by the service account only
    tables = _tables()
    db_file = directory / DB_FILES[vendor]
    if vendor == "sqlite":
        _sqlite_copy(str(settings.DATABASES["default"]["NAME"]), str(db_file), single_file=True)
        counts = _sqlite_counts(db_file, tables)
    else:
        with _pg_snapshot() as snapshot:
            args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                    f"--file={db_file}"]
            _run(args + ([f"--snapshot={snapshot}"] if snapshot else []))
            counts = _db_counts(tables)
    for name, setting in TREES:
        root = Path(getattr(settings, setting))
        if root.exists():
            shutil.copytree(root, directory / name, symlinks=False)
        else:
            (directory / name).mkdir()
    files = _files(directory)
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "engine": vendor,
        "database_file": db_file.name, "counts": counts, "files": files,
    }
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    os.chmod(path, 0o600)
    return manifest


# --- restore --------------------------------------------------------------------------------

def manifest_verify(*, directory: Path) -> dict:
    """The manifest's files, exactly: none missing, none changed, none added."""
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"无法读取备份清单 {MANIFEST}：{error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("备份清单格式不受支持。")
    listed = manifest.get("files", {})
    for name in listed:
        if name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"备份清单中有非法路径：{name}")
    actual = _files(directory)
    problems = sorted(
        [f"缺少：{n}" for n in listed.keys() - actual.keys()]
        + [f"多出：{n}" for n in actual.keys() - listed.keys()]
        + [f"内容不符：{n}" for n in listed.keys() & actual.keys() if listed[n] != actual[n]])
    if problems:
        raise BackupError("备份与清单不一致，已拒绝恢复：" + "；".join(problems[:20]))
    if manifest.get("database_file") not in listed:
        raise BackupError("备份中没有数据库文件。")
    return manifest


def _swap_tree(source: Path, root: Path) -> None:
    """Copy beside the live tree, then swap by renames, so a failed copy leaves it untouched."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-restoring-", dir=root.parent))
    shutil.rmtree(staging)
    shutil.copytree(source, staging)
    old = None
    if root.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{root.name}-old-", dir=root.parent))
        shutil.rmtree(old)
        root.rename(old)
    staging.rename(root)
    if old is not None:
        shutil.rmtree(old)


def backup_restore(*, directory: Path) -> dict:
    directory = Path(directory)
    manifest = manifest_verify(directory=directory)
    vendor = _vendor()
    if manifest["engine"] != vendor:
        raise BackupError(f"备份来自 {manifest['engine']}，当前数据库是 {vendor}，不能直接恢复。")
    db_file = directory / manifest["database_file"]
    connection.close()
    if vendor == "sqlite":
        _sqlite_copy(str(db_file), str(settings.DATABASES["default"]["NAME"]), single_file=False)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
              "--single-transaction", "--exit-on-error", "--dbname", _pg_env()["PGDATABASE"],
              str(db_file)])
    for name, setting in TREES:
        _swap_tree(directory / name, Path(getattr(settings, setting)))
    counts = _db_counts(list(manifest["counts"]))
    wrong = {t: (n, counts.get(t)) for t, n in manifest["counts"].items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"恢复后的行数与清单不符：{wrong}")
    return manifest
