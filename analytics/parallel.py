"""Independent report queries at once, on PostgreSQL, all reading one snapshot.

A year of a provincial mechanism is a quarter of a million cases: each table's query is an
index-only scan of its own, and one connection runs them one after another on one core. Here
each runs in a thread with its own connection (PostgreSQL runs each in its own process), and
every connection imports the snapshot of the caller's transaction (`pg_export_snapshot`), so
the tables agree with each other exactly as if they had been read in sequence.

Only when the caller's transaction is the outermost one: inside someone else's transaction
(a test, a service) there may be uncommitted rows that another connection could not see, so
the queries run in sequence there. SQLite always runs them in sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, connections, transaction

MAX_THREADS = 3


def parallel_reads(jobs: dict[str, Callable[[], Any]], *, nested: bool) -> dict[str, Any]:
    """Run read-only `jobs`; `nested`: the caller's transaction sits inside another one."""
    if nested or connection.vendor != "postgresql" or len(jobs) < 2:
        return {name: job() for name, job in jobs.items()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    alias = connection.alias

    def run(job: Callable[[], Any]) -> Any:
        worker = connections[alias]  # this thread's own connection
        try:
            with transaction.atomic(using=alias), worker.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
                return job()
        finally:
            worker.close()

    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(jobs))) as pool:
        futures = {name: pool.submit(run, job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}
