"""Gap-free case numbers: a counter row per mechanism and year, locked while a number is taken.

The counter is incremented in the caller's transaction, so a rolled-back registration gives its
number back. One `UPDATE … RETURNING` both locks the row and takes the number: on PostgreSQL a
concurrent taker waits on the row lock and then increments the committed value; on SQLite the
IMMEDIATE transaction mode already holds the write lock from the first statement.

The lock lasts until commit, so every registration of a mechanism queues behind the one holding
it. A registration therefore writes its rows under a provisional number and takes the real one
last (``case_number_assign``): the queue is then a few short UPDATEs long, not the whole
registration (history, timeline, notifications). Rows that quote the number while it is
provisional are listed in NUMBER_BEARERS, which apps extend from their ready().
"""

import secrets
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, connections, transaction
from django.db.transaction import TransactionManagementError

from cases.models import Case, CaseCounter, Mechanism

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


def case_number_assign(*, case: Case) -> None:
    """Give a case registered under a provisional number its real one: take it from the counter
    and write it into the case, its creation history row and every NUMBER_BEARERS row. Call it
    as the last write before commit: the counter stays locked until then."""
    provisional = case.number
    if not provisional.startswith(PROVISIONAL_PREFIX):
        raise ValueError(f"{provisional} 已有正式编号")
    seq, number = case_number_take(mechanism=case.mechanism, year=case.year)
    connection = connections[Case.objects.db]
    quote = connection.ops.quote_name
    writes = [
        (f"UPDATE {quote(Case._meta.db_table)} SET number = %s, seq = %s WHERE id = %s",
         [number, seq, case.pk]),
        (f"UPDATE {quote(Case.history.model._meta.db_table)} SET number = %s, seq = %s "
         "WHERE id = %s AND number = %s", [number, seq, case.pk, provisional]),
    ]
    for bearer in NUMBER_BEARERS:
        table = quote(apps.get_model(bearer.model)._meta.db_table)
        sets = ", ".join(f"{quote(c)} = REPLACE({quote(c)}, %s, %s)" for c in bearer.columns)
        writes.append((f"UPDATE {table} SET {sets} WHERE {bearer.rows_of_case}",
                       [provisional, number] * len(bearer.columns) + [case.pk]))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip while the counter is locked: PostgreSQL runs every data-modifying
            # WITH clause once, to completion, whether or not the main query reads it.
            clauses = ", ".join(f"w{i} AS ({sql} RETURNING 1)" for i, (sql, _) in enumerate(writes))
            cursor.execute(f"WITH {clauses} SELECT 1", [p for _, params in writes for p in params])
        else:
            for sql, params in writes:
                cursor.execute(sql, params)
    case.number, case.seq = number, seq
