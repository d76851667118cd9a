"""Rows a registration writes together with its numbered case row, in the same statement.

While a case is registered (cases.services.intake), the rows that only point at the new case —
its first timeline event, the outbox messages its hooks queue, the online form's receipt — are
not inserted one round trip each: they are held here and written by ``case_insert_numbered``
with the case row (on PostgreSQL one data-modifying WITH; on SQLite one statement after another
in the same transaction). They carry the real case number, not the provisional one.

What a deferred row gives up, and why that is safe for the rows deferred here:
- no pre_save/post_save signals: none of these models has a receiver that acts on them
  (notifications.rules.on_timeline_saved acts only on "remind" rows, never written here);
- no history: a historied model is refused (its history row would be lost);
- until the case row is written, the rows cannot be read back — nor can the case (docs/portal.md);
- a row offered inside a savepoint opened during the registration is written at once, so that the
  savepoint's rollback takes it along (e.g. the group warning's SMS, queued in its savepoint);
- a row deferred with ``skip_duplicate`` is written unless one with the same unique key exists
  (INSERT … ON CONFLICT DO NOTHING), but the caller cannot learn which happened;
- a unique conflict of any other deferred row fails the numbering statement (IntegrityError),
  which rolls the whole registration back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import Model

from cases.sql import autocommit_while_idle, server_transaction_idle


@dataclass
class DeferredRows:
    depth: int  # the connection's atomic blocks when the registration began
    ids: dict[type[Model], list[int]] = field(default_factory=dict)  # allocated, not yet used
    rows: list[tuple[Model, bool]] = field(default_factory=list)  # (row, skip_duplicate)


_current: ContextVar[DeferredRows | None] = ContextVar("onestop_deferred_rows", default=None)


@contextmanager
def rows_deferred() -> Iterator[DeferredRows]:
    """Hold the rows ``row_defer`` is given until ``rows_take``; dropped if never taken."""
    token = _current.set(DeferredRows(depth=len(transaction.get_connection().savepoint_ids)))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


# Primary keys are taken from the sequences ID_BLOCK at a time and handed out by the process: a
# registration then needs no round trip of its own for its ids (~4% of an online submission's
# CPU). Ids stay unique (a sequence never hands a value out twice) and increase per connection;
# across worker processes they interleave, and a rolled-back registration loses its ids as it
# would lose sequence values anyway. Nothing orders cases by id (numbers and times do that).
ID_BLOCK = 16


def ids_allocate(models: list[type[Model]]) -> list[int]:
    """One new primary key for each model: PostgreSQL only (a sequence never hands a value out
    twice; SQLite's next id is only known for the row written next)."""
    connection = connections[models[0].objects.db]
    pool = _id_pool(connection)
    if any(not pool.get(model) for model in models):
        _id_pool_fill(connection, models, pool)
    return [pool[model].pop(0) for model in models]


def _id_pool(connection) -> dict[type[Model], list[int]]:
    owner, pool = getattr(connection, "_onestop_id_pool", (None, None))
    if owner != os.getpid():  # forked (e.g. gunicorn --preload): the parent's ids stay its own
        pool = {}
        connection._onestop_id_pool = (os.getpid(), pool)
    return pool


def _id_pool_fill(connection, models: list[type[Model]], pool: dict) -> None:
    quote = connection.ops.quote_name
    calls = ", ".join("nextval(pg_get_serial_sequence(%s, %s))" for _ in models)
    params = [p for m in models for p in (quote(m._meta.db_table), m._meta.pk.column)]
    # A sequence is outside every transaction anyway: taken before the registration's transaction
    # has begun, the block leaves its one statement alone in it (cases.numbering).
    idle = connection.in_atomic_block and server_transaction_idle(connection)
    with autocommit_while_idle(connection) if idle else nullcontext(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls} FROM generate_series(1, %s) ORDER BY 1", [*params, ID_BLOCK])
        rows = cursor.fetchall()
    for index, model in enumerate(models):
        pool.setdefault(model, []).extend(row[index] for row in rows)


def ids_reserve(model: type[Model], ids: list[int]) -> None:
    """Let the current registration give `ids` (from ids_allocate) to deferred `model` rows."""
    pending = _current.get()
    if pending is not None:
        pending.ids.setdefault(model, []).extend(ids)


def row_defer(row: Model, *, needs_pk: bool = False, skip_duplicate: bool = False) -> bool:
    """Hold `row` for the case's numbering statement; False (nothing held) outside a
    registration, inside a savepoint opened during it (its rollback must take the row along),
    or when `needs_pk` and no id was reserved for its model — then save it now."""
    pending = _current.get()
    if pending is None:
        return False
    if any(transaction.get_connection().savepoint_ids[pending.depth:]):
        return False
    model = type(row)
    if getattr(model._meta, "simple_history_manager_attribute", None):
        raise TypeError(f"{model.__name__} 有修改历史，不能延后写入")
    if needs_pk:
        free = pending.ids.get(model)
        if not free:
            return False
        row.pk = free.pop(0)
    pending.rows.append((row, skip_duplicate))
    return True


def rows_take() -> list[tuple[Model, bool]]:
    """The rows held so far (and no longer held): for case_insert_numbered."""
    pending = _current.get()
    if pending is None:
        return []
    rows, pending.rows = pending.rows, []
    return rows
