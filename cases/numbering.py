"""Gap-free case numbers: a counter row per mechanism and year, locked while a number is taken.

The counter is incremented in the caller's transaction, so a rolled-back registration gives its
number back. One `UPDATE … RETURNING` both locks the row and takes the number: on PostgreSQL a
concurrent taker waits on the row lock and then increments the committed value; on SQLite the
IMMEDIATE transaction mode already holds the write lock from the first statement.
"""

from django.db import IntegrityError, connections, transaction
from django.db.transaction import TransactionManagementError

from cases.models import CaseCounter, Mechanism


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
