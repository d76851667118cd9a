"""Background tasks (django-tasks): sending the outbox, the deadline sweep, large reports.

TASKS picks the backend: immediate in dev and tests, the database queue in production
(`TASKS_BACKEND=database`, worked by `manage.py db_worker`). Tasks only call services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django_tasks import task

from notifications.services import outbox_send_due

# name → builder(**params) -> JSON-serialisable summary. Other apps register their reports here.
REPORT_BUILDERS: dict[str, Callable[..., Any]] = {}


def report_builder_register(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: `@report_builder_register("annual")` makes `report_build_task.enqueue(
    name="annual", params={...})` run it on the worker."""
    def decorator(builder: Callable[..., Any]) -> Callable[..., Any]:
        REPORT_BUILDERS[name] = builder
        return builder
    return decorator


@task()
def outbox_send_task(limit: int = 100) -> dict[str, int]:
    """Send what is due; re-queues itself while full batches keep coming."""
    result = outbox_send_due(limit=limit)
    if result.claimed >= limit:
        outbox_send_task.enqueue(limit=limit)
    return result.as_dict()


@task()
def deadlines_sweep_task(today: str | None = None) -> dict[str, Any]:
    """The daily sweep; its reminders land in the outbox in the same transaction."""
    from cases.services.deadlines import deadlines_sweep

    day = date.fromisoformat(today) if today else None
    result = deadlines_sweep(today=day)
    sent = outbox_send_due()
    return {"warnings": result.warnings, "overdue": result.overdue, "outbox": sent.as_dict()}


@task()
def report_build_task(name: str, params: dict[str, Any] | None = None) -> Any:
    builder = REPORT_BUILDERS.get(name)
    if builder is None:
        raise LookupError(f"未注册的报表：{name}")
    return builder(**(params or {}))
