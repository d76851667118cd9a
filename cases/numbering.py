"""Gap-free case numbers: a counter row per mechanism and year, locked while a number is taken.

The counter is incremented in the caller's transaction, so a rolled-back registration gives its
number back. One `UPDATE … RETURNING` both locks the row and takes the number: on PostgreSQL a
concurrent taker waits on the row lock and then increments the committed value; on SQLite the
IMMEDIATE transaction mode already holds the write lock from the first statement.

The lock lasts until commit, so every registration of a mechanism queues behind the one holding
it. A registration therefore takes its case id first (``case_id_allocate``), writes the rows that
point at the case under a provisional number, and takes the real number last: on PostgreSQL the
counter UPDATE, the case row, its creation history row and the number in the rows that quoted the
provisional one are one statement (``case_insert_numbered``) followed by the commit, not the
whole registration. Those rows are listed in
NUMBER_BEARERS, which apps extend from their ready(). The rows the registration deferred
(cases.deferred) are inserted by that same statement, already carrying the real number.
"""

import secrets
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connections, transaction
from django.db.models import Field, Model
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from cases.deferred import ids_allocate, ids_reserve, rows_take
from cases.models import Case, CaseCounter, Mechanism
from cases.sql import (
    autocommit_while_idle,
    fetchone_prepared,
    insert_select_text,
    insert_sql,
    insert_values,
    server_transaction_idle,
)

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


def _counter_update_sql(connection) -> str:
    """Lock the counter row and take the next value (%s: mechanism id, year); no row without
    the counter row."""
    quote = connection.ops.quote_name
    meta = CaseCounter._meta
    value = quote(meta.get_field("last_value").column)
    return (f"UPDATE {quote(meta.db_table)} SET {value} = {value} + 1 "
            f"WHERE {quote(meta.get_field('mechanism').column)} = %s "
            f"AND {quote(meta.get_field('year').column)} = %s RETURNING {value}")


def _increment(mechanism_id: int, year: int) -> int | None:
    """The counter's new value, or None when the row does not exist yet."""
    connection = connections[CaseCounter.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(_counter_update_sql(connection), [mechanism_id, year])
        row = cursor.fetchone()
    return row[0] if row else None


def _counter_create(mechanism: Mechanism, year: int) -> None:
    try:
        with transaction.atomic():
            CaseCounter.objects.create(mechanism=mechanism, year=year, last_value=0)
    except IntegrityError:
        pass  # another transaction created it first; the caller takes the number from it


def case_number_take(*, mechanism: Mechanism, year: int) -> tuple[int, str]:
    """Return (seq, number) such as (123, "GP-2026-000123"). Must run inside a transaction."""
    if not transaction.get_connection(CaseCounter.objects.db).in_atomic_block:
        # Outside a transaction the lock would end with the statement: numbers could repeat.
        raise TransactionManagementError("case_number_take must run inside a transaction")
    seq = _increment(mechanism.pk, year)
    if seq is None:
        _counter_create(mechanism, year)
        seq = _increment(mechanism.pk, year)
    return seq, case_number_prefix(mechanism, year) + f"{seq:0{NUMBER_DIGITS}d}"


NUMBER_DIGITS = 6  # at least; a 1,000,000th case of a year gets 7 (SQL pads the same way)


def case_number_prefix(mechanism: Mechanism, year: int) -> str:
    return f"{mechanism.case_prefix}-{year}-"


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


@cache  # the models do not change while the process runs
def _history_columns() -> tuple[tuple[Field, str | None], ...]:
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
    return tuple(columns)


def case_insert_numbered(*, case: Case, history_user, reason: str,
                         ends_transaction: bool = False) -> None:
    """Take the real number and write a registration's case row under it, with the creation
    history row simple-history would write (copied by the database from the case row itself),
    the rows the registration deferred (cases.deferred), and the number put into every
    NUMBER_BEARERS row written under the provisional one. The case must have its id
    (case_id_allocate). Call it as the last write before commit: the counter stays locked until
    then. On PostgreSQL all of it is one statement, so the lock is held for that statement and
    the commit; on SQLite (one writer at a time anyway) the same writes run one by one.

    `ends_transaction`: the caller's outermost atomic block commits right after this and nothing
    can fail in between. If then nothing has been sent to PostgreSQL in the transaction yet, the
    statement is the whole transaction and runs as one in autocommit: without the BEGIN and
    COMMIT round trips (two of an online submission's five, bench/intake_profile.py)."""
    provisional = case.number
    if not provisional.startswith(PROVISIONAL_PREFIX):
        raise ValueError(f"{provisional} 已有正式编号")
    if case.pk is None:
        raise ValueError("case_id_allocate first")
    if not transaction.get_connection(Case.objects.db).in_atomic_block:
        raise TransactionManagementError("case_insert_numbered must run inside a transaction")
    connection = connections[Case.objects.db]
    history_values = {"history_date": getattr(case, "_history_date", timezone.now()),
                      "history_change_reason": reason[:1000], "history_type": "+",
                      "history_user_id": getattr(history_user, "pk", None)}
    deferred = rows_take()
    if connection.vendor == "postgresql":
        alone = (ends_transaction and len(connection.atomic_blocks) == 1
                 and server_transaction_idle(connection))
        _insert_in_one_statement(case, provisional, history_values, deferred, connection,
                                 alone=alone)
    else:
        _insert_one_by_one(case, provisional, history_values, deferred, connection)
    case._state.adding = False
    for row, _ in deferred:  # what the caller holds reads as what was written
        _put_number(row, provisional, case.number)
        row._state.adding, row._state.db = False, connection.alias


def _history_insert(connection, source: str) -> str:
    """INSERT of the creation history row copied from the case row in `source`; its own
    columns (history_*) are placeholders, filled by _history_params."""
    quote = connection.ops.quote_name
    history = _history_columns()
    copied = ", ".join(quote(column) if column else "%s" for _, column in history)
    return (f"INSERT INTO {quote(Case.history.model._meta.db_table)} "
            f"({', '.join(quote(field.column) for field, _ in history)}) SELECT {copied} {source}")


def _history_params(history_values: dict, connection) -> list:
    return [field.get_db_prep_save(history_values[field.column], connection)
            for field, column in _history_columns() if column is None]


def _bearer_updates(connection, bearers, *, number_sql: str, source: str = "") -> list[str]:
    """UPDATEs putting the real number (`number_sql`) in place of the provisional one in the
    bearers' rows of the case written before it was numbered. Parameters of each: per column the
    provisional number (and the real one, if `number_sql` is a placeholder), then the case id."""
    quote = connection.ops.quote_name
    updates = []
    for bearer in bearers:
        table = quote(apps.get_model(bearer.model)._meta.db_table)
        sets = ", ".join(f"{quote(c)} = REPLACE({quote(c)}, %s, {number_sql})" for c in bearer.columns)
        updates.append(f"UPDATE {table} SET {sets}{source} WHERE {bearer.rows_of_case}")
    return updates


def _insert_one_by_one(case: Case, provisional: str, history_values: dict,
                       deferred: list, connection) -> None:
    case.seq, case.number = case_number_take(mechanism=case.mechanism, year=case.year)
    quote = connection.ops.quote_name
    writes = [insert_sql(case, fields=list(Case._meta.concrete_fields), connection=connection)]
    sql = _history_insert(connection, f"FROM {quote(Case._meta.db_table)} WHERE id = %s")
    writes.append((sql, _history_params(history_values, connection) + [case.pk]))
    updates = _bearer_updates(connection, NUMBER_BEARERS, number_sql="%s")
    for sql, bearer in zip(updates, NUMBER_BEARERS, strict=True):
        writes.append((sql, [provisional, case.number] * len(bearer.columns) + [case.pk]))
    for row, skip_duplicate in deferred:
        _put_number(row, provisional, case.number)
        sql, params = insert_sql(row, fields=_insert_fields(row), connection=connection)
        writes.append((f"{sql} ON CONFLICT DO NOTHING" if skip_duplicate else sql, params))
    with connection.cursor() as cursor:
        for sql, params in writes:
            cursor.execute(sql, params)


def _insert_in_one_statement(case: Case, provisional: str, history_values: dict,
                             deferred: list, connection, *, alone: bool = False) -> None:
    """One data-modifying WITH: take the number (the counter UPDATE), format it as
    case_number_take does, insert the case row and its history row, put the number into the
    bearers' earlier rows, insert the deferred rows with it. Every clause runs once, to
    completion; an UPDATE here does not see rows inserted by the same statement, so the deferred
    rows get the number in their INSERT. Without the year's counter row nothing is written:
    the row is created and the statement run again."""
    shape = tuple((type(row), row.pk is not None, skip_duplicate) for row, skip_duplicate in deferred)
    bearers = tuple(NUMBER_BEARERS)  # in the key: the text and the values follow the same list
    # Alone, nothing was written in the transaction before this statement, so no earlier row
    # holds the provisional number: the bearers' UPDATEs (three tables, their indexes opened
    # for nothing) are left out.
    earlier_rows = not alone
    statement = _numbered_statement(connection.alias, bearers, shape, earlier_rows)
    # The parameters in the order of the statement's placeholders (see _numbered_statement).
    values = [case.mechanism_id, case.year, case_number_prefix(case.mechanism, case.year),
              NUMBER_DIGITS]
    values += insert_values(case, fields=_case_fields(), connection=connection, exprs=_CASE_EXPRS)
    values += _history_params(history_values, connection)
    for bearer in bearers if earlier_rows else ():
        values += [provisional] * len(bearer.columns) + [case.pk]
    bearing = (BEARING_SQL, lambda value: [value, provisional])
    for row, _ in deferred:
        values += insert_values(row, fields=_insert_fields(row), connection=connection,
                                exprs=dict.fromkeys(_bearer_columns(type(row), bearers), bearing))
    with autocommit_while_idle(connection) if alone else nullcontext():
        taken = fetchone_prepared(connection, statement, values)
    if taken is None:  # the year's first case: no counter row yet, nothing was written
        _counter_create(case.mechanism, case.year)
        taken = fetchone_prepared(connection, statement, values)
    case.seq, case.number = taken


# A deferred row's column that may quote the provisional number: the real one put in its place.
BEARING_SQL = "REPLACE(%s, %s, num.new_number)"
_CASE_EXPRS = {"number": ("num.new_number", lambda value: []),
               "seq": ("num.new_seq", lambda value: [])}


@cache  # the models do not change while the process runs
def _case_fields() -> list[Field]:
    fields = list(Case._meta.concrete_fields)
    if not set(_CASE_EXPRS) <= {f.column for f in fields}:
        raise ImproperlyConfigured("Case 表缺少 number 或 seq 列")
    return fields


@lru_cache(maxsize=256)
def _numbered_statement(alias: str, bearers: tuple[NumberBearer, ...],
                        shape: tuple[tuple[type[Model], bool, bool], ...],
                        earlier_rows: bool = True) -> str:
    """The text of _insert_in_one_statement's statement for `bearers` (NUMBER_BEARERS) and
    deferred rows of this shape ((model, has its id, skip_duplicate) each), with the bearers'
    UPDATEs of rows written earlier in the transaction only if `earlier_rows`. Built once per
    shape: joining its ~5 KB took ~0.1 ms of each online submission (bench/intake_parts.py).
    Its placeholders take, in order: the counter's mechanism id and year, the number's prefix
    and digits, the case row's values, the history values, per bearer (if `earlier_rows`) its
    columns' provisional number and the case id, then each deferred row's values."""
    connection = connections[alias]
    clauses = [
        f"n AS ({_counter_update_sql(connection)} AS v)",
        "num AS (SELECT v AS new_seq, %s || LPAD(v::text, GREATEST(%s, LENGTH(v::text)), '0') "
        "AS new_number FROM n)",
        "c AS (" + insert_select_text(Case, fields=_case_fields(), connection=connection,
                                      source="num", exprs=_CASE_EXPRS) + " RETURNING *)",
        _history_insert(connection, "FROM c"),
    ]
    if earlier_rows:
        clauses += _bearer_updates(connection, bearers, number_sql="num.new_number",
                                   source=" FROM num")
    for model, has_pk, skip_duplicate in shape:
        fields = [f for f in model._meta.concrete_fields if has_pk or not f.primary_key]
        bearing = dict.fromkeys(_bearer_columns(model, bearers), (BEARING_SQL, None))
        sql = insert_select_text(model, fields=fields, connection=connection, source="num",
                                 exprs=bearing)
        clauses.append(f"{sql} ON CONFLICT DO NOTHING" if skip_duplicate else sql)
    with_sql = ", ".join(clause if i < 3 else f"w{i} AS ({clause})"
                         for i, clause in enumerate(clauses))
    return f"WITH {with_sql} SELECT new_seq, new_number FROM num"


def _insert_fields(row: Model) -> list[Field]:
    return [f for f in row._meta.concrete_fields if not (f.primary_key and row.pk is None)]


def _bearer_columns(model: type[Model], bearers=None) -> list[str]:
    label = model._meta.label
    return [c for b in (NUMBER_BEARERS if bearers is None else bearers) if b.model == label
            for c in b.columns]


def _put_number(row: Model, provisional: str, number: str) -> None:
    for column in _bearer_columns(type(row)):
        attname = next(f.attname for f in row._meta.concrete_fields if f.column == column)
        if value := getattr(row, attname):
            setattr(row, attname, value.replace(provisional, number))
