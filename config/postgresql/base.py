"""Django's PostgreSQL backend, with a health check that also reads the configuration stamp.

With CONN_HEALTH_CHECKS a reused connection is checked (``SELECT 1``) at a request's first query,
and almost every request's first query is the stamp's token (cases.confcache). The check asks for
the token instead: one round trip where there were two (an online submission had five).
"""

from __future__ import annotations

from django.db.backends.postgresql import base
from psycopg import Error
from psycopg.pq import TransactionStatus

from cases.confcache import TOKEN_SQL, token_read_by_health_check


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is None:
            return False
        if self.connection.info.transaction_status != TransactionStatus.IDLE or not self.connection.autocommit:
            return super().is_usable()  # a failed read must not abort a transaction
        try:
            with self.connection.cursor() as cursor:
                cursor.execute(TOKEN_SQL)
                row = cursor.fetchone()
        except Error:  # e.g. not migrated yet: the plain check decides
            return super().is_usable()
        token_read_by_health_check(row[0] if row else None)
        return True
