"""Gap-free case numbers: a counter row per mechanism and year, locked while a number is taken.

The counter is incremented in the caller's transaction, so a rolled-back registration gives its
number back. On PostgreSQL `select_for_update` serialises takers; on SQLite the IMMEDIATE
transaction mode already holds the write lock from the first statement.
"""

from django.db import IntegrityError, transaction

from cases.models import CaseCounter, Mechanism


def case_number_take(*, mechanism: Mechanism, year: int) -> tuple[int, str]:
    """Return (seq, number) such as (123, "GP-2026-000123"). Must run inside a transaction."""
    counter = CaseCounter.objects.select_for_update().filter(mechanism=mechanism, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                CaseCounter.objects.create(mechanism=mechanism, year=year, last_value=0)
        except IntegrityError:
            pass  # another transaction created it first; lock it below
        counter = CaseCounter.objects.select_for_update().get(mechanism=mechanism, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{mechanism.case_prefix}-{year}-{counter.last_value:06d}"
