"""Gap-free case numbers: a counter row per mechanism and year, locked while a number is taken.

The counter is incremented in the caller's transaction, so a rolled-back registration gives its
number back. One `UPDATE … RETURNING` both locks the row and takes the number: on PostgreSQL a
concurrent taker waits on the row lock and then increments the committed value; on SQLite the
IMMEDIATE transaction mode already holds the write lock from the first statement.

The lock lasts until commit, so every registration of a mechanism queues behind the one holding
it. A registration therefore takes its case id first (``case_id_allocate``), writes the rows that
point at the case under a provisional number, and takes the real number last: the case row, its
creation history row and the number in the rows that quoted the provisional one are then one
statement (``case_insert_numbered``), not the whole registration. Those rows are listed in
NUMBER_BEARERS, which apps extend from their ready(). The rows the registration deferred
(cases.deferred) are inserted by that same statement, already carrying the real number.
"""

import secrets
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, transaction
from django.db.models import Field, Model
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from cases.deferred import ids_allocate, ids_reserve, rows_take
from cases.models import Case, CaseCounter, Mechanism
from cases.sql import insert_sql

PROVISIONAL_PREFIX = "待编号-"


@dataclass(frozen=True)
class NumberBearer:
    """Text columns of `model` that may quote a new case's number, and which of its rows belong
    to that case (SQL with one %s for the case id)."""

    model: str
    columns: tuple[str, ...]
    rows_of_case: str = "case_id = %s"


NUMBER_BEARERS: list[NumberBearer] = [
    NumberBearer("cases.TimelineEvent", ("note", "public_text")),
]


def number_bearer_add(bearer: NumberBearer) -> None:
    if bearer not in NUMBER_BEARERS:
        NUMBER_BEARERS.append(bearer)


def provisional_number() -> str:
    """Unique, and never a real number (those have no Chinese characters)."""
    return PROVISIONAL_PREFIX + secrets.token_hex(8)


def _increment(mechanism_id: int, year: int) -> int | None:
    """The counter's new value, or None when the row does not exist yet."""
    db = CaseCounter.objects.db
    quote = connections[db].ops.quote_name
    meta = CaseCounter._meta
    value = quote(meta.get_field("last_value").column)
    sql = (f"UPDATE {quote(meta.db_table)} SET {value} = {value} + 1 "
           f"WHERE {quote(meta.get_field('mechanism').column)} = %s "
           f"AND {quote(meta.get_field('year').column)} = %s RETURNING {value}")
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [mechanism_id, year])
        row = cursor.fetchone()
    return row[0] if row else None


def case_number_take(*, mechanism: Mechanism, year: int) -> tuple[int, str]:
    """Return (seq, number) such as (123, "GP-2026-000123"). Must run inside a transaction."""
    if not transaction.get_connection(CaseCounter.objects.db).in_atomic_block:
        # Outside a transaction the lock would end with the statement: numbers could repeat.
        raise TransactionManagementError("case_number_take must run inside a transaction")
    seq = _increment(mechanism.pk, year)
    if seq is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(mechanism=mechanism, year=year, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; take the number from it below
        seq = _increment(mechanism.pk, year)
    return seq, f"{mechanism.case_prefix}-{year}-{seq:06d}"


def case_id_allocate(case: Case, *, ids_for: tuple[type[Model], ...] = ()) -> None:
    """Give a registration's case its primary key before its row is written, so that the rows
    that point at it (timeline, outbox, receipt, attachments) can be written first: foreign keys
    are checked at commit (Django creates them DEFERRABLE INITIALLY DEFERRED). On PostgreSQL the
    same statement also reserves one id of each model in `ids_for` for the registration's
    deferred rows (cases.deferred)."""
    db = Case.objects.db
    connection = connections[db]
    if connection.vendor == "postgresql":
        case.pk, *others = ids_allocate([Case, *ids_for])
        for model, pk in zip(ids_for, others, strict=True):
            ids_reserve(model, [pk])
    else:
        # SQLite: the IMMEDIATE transaction holds the write lock, and the row is inserted
        # before another case can take the next id (AUTOINCREMENT keeps its high mark).
        table = Case._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                           f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0)) + 1",
                           [table])
            case.pk = cursor.fetchone()[0]
    case._state.db = db  # relations may point at it (m2m adds check the database)


def _history_columns() -> list[tuple[Field, str | None]]:
    """(field of the historical case, the case column it copies or None for history_*)."""
    case_columns = {f.column for f in Case._meta.concrete_fields}
    columns = []
    for field in Case.history.model._meta.concrete_fields:
        if field.column == "history_id":
            continue
        if field.column in case_columns:
            columns.append((field, field.column))
        elif field.column in ("history_date", "history_change_reason", "history_type",
                              "history_user_id"):
            columns.append((field, None))
        else:  # a simple-history upgrade added a column: write it like simple-history or fail
            raise ImproperlyConfigured(f"未知的历史记录字段 {field.column}")
    return columns


def case_insert_numbered(*, case: Case, history_user, reason: str) -> None:
    """Write a registration's case row under its real number, with the creation history row
    simple-history would write (copied by the database from the case row itself), and put the
    number into every NUMBER_BEARERS row written under the provisional one. The case must have
    its id (case_id_allocate). Call it as the last write before commit: the counter stays locked
    until then, so this is one statement on PostgreSQL (two on SQLite, four with bearers)."""
    provisional = case.number
    if not provisional.startswith(PROVISIONAL_PREFIX):
        raise ValueError(f"{provisional} 已有正式编号")
    if case.pk is None:
        raise ValueError("case_id_allocate first")
    connection = connections[Case.objects.db]
    quote = connection.ops.quote_name
    case.seq, case.number = case_number_take(mechanism=case.mechanism, year=case.year)
    case_table = quote(Case._meta.db_table)
    insert_case = insert_sql(case, fields=list(Case._meta.concrete_fields), connection=connection)
    history = _history_columns()
    history_values = {"history_date": getattr(case, "_history_date", timezone.now()),
                      "history_change_reason": reason[:1000], "history_type": "+",
                      "history_user_id": getattr(history_user, "pk", None)}
    postgres = connection.vendor == "postgresql"
    copied = ", ".join(quote(source) if source else "%s" for _, source in history)
    insert_history = (
        f"INSERT INTO {quote(Case.history.model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field, _ in history)}) SELECT {copied} "
        + ("FROM c" if postgres else f"FROM {case_table} WHERE id = %s"),
        [field.get_db_prep_save(history_values[field.column], connection)
         for field, source in history if source is None]
        + ([] if postgres else [case.pk]))
    writes = [insert_history]
    for bearer in NUMBER_BEARERS:
        table = quote(apps.get_model(bearer.model)._meta.db_table)
        sets = ", ".join(f"{quote(c)} = REPLACE({quote(c)}, %s, %s)" for c in bearer.columns)
        writes.append((f"UPDATE {table} SET {sets} WHERE {bearer.rows_of_case}",
                       [provisional, case.number] * len(bearer.columns) + [case.pk]))
    deferred = rows_take()
    writes += [_deferred_insert(row, skip_duplicate, provisional, case.number, connection)
               for row, skip_duplicate in deferred]
    with connection.cursor() as cursor:
        if postgres:
            # One round trip while the counter is locked. Every data-modifying WITH clause runs
            # once, to completion; the history row reads the case row the first one returns.
            # (An UPDATE here does not see rows inserted by the same statement: the deferred
            # rows get the real number in Python instead.)
            sql = (f"WITH c AS ({insert_case[0]} RETURNING *), "
                   + ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(writes))
                   + " SELECT 1")
            cursor.execute(sql, insert_case[1] + [p for _, params in writes for p in params])
        else:
            for sql, params in [insert_case, *writes]:
                cursor.execute(sql, params)
    case._state.adding = False
    for row, _ in deferred:
        row._state.adding, row._state.db = False, connection.alias


def _bearer_columns(model: type[Model]) -> list[str]:
    label = model._meta.label
    return [c for b in NUMBER_BEARERS if b.model == label for c in b.columns]


def _deferred_insert(row: Model, skip_duplicate: bool, provisional: str, number: str,
                     connection) -> tuple[str, list]:
    for column in _bearer_columns(type(row)):
        attname = next(f.attname for f in row._meta.concrete_fields if f.column == column)
        if value := getattr(row, attname):
            setattr(row, attname, value.replace(provisional, number))
    fields = [f for f in row._meta.concrete_fields if not (f.primary_key and row.pk is None)]
    sql, params = insert_sql(row, fields=fields, connection=connection)
    return (f"{sql} ON CONFLICT DO NOTHING" if skip_duplicate else sql), params
