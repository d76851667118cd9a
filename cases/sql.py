"""Statements the ORM cannot write (a data-modifying WITH, ON CONFLICT … RETURNING), built from a
model instance with its values prepared exactly as Model.save() prepares them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache

from django.conf import settings
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.db.models.fields import AutoFieldMixin


def insert_sql(obj: Model, *, fields: list[Field], connection) -> tuple[str, list]:
    """`INSERT INTO <table> (<fields>) VALUES (…)` and its parameters for `obj`. Each value goes
    through the field's pre_save (auto_now, blind indexes) and get_db_prep_save (dates as the
    backend stores them, JSON, encryption), as Django's own INSERT does."""
    quote = connection.ops.quote_name
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    return (f"INSERT INTO {quote(obj._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})", values)


# A column's SQL in an INSERT … SELECT instead of its bare value, and the parameters that SQL
# takes, made from the column's prepared value (e.g. ("num.new_seq", no parameters)).
Expr = tuple[str, Callable[[object], list] | None]  # None: only its SQL is asked for


def insert_select_text(model: type[Model], *, fields: list[Field], connection, source: str,
                       exprs: dict[str, Expr]) -> str:
    """`INSERT INTO <table> (<fields>) SELECT … FROM <source>`: a placeholder per field, except
    the columns in `exprs`, which get their SQL. The text depends only on its arguments' shape,
    so a caller that runs it often can build it once (cases.numbering)."""
    quote = connection.ops.quote_name
    items = ", ".join(exprs[f.column][0] if f.column in exprs else "%s" for f in fields)
    return (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {items} FROM {source}")


def insert_values(obj: Model, *, fields: list[Field], connection,
                  exprs: dict[str, Expr]) -> list:
    """The parameters of insert_select_text for `obj`: each value prepared as insert_sql prepares
    it, or for a column in `exprs` the parameters its SQL takes, made from that value."""
    params = []
    ops = connection.ops
    for f in fields:
        if f.column in exprs:
            params += exprs[f.column][1](f.get_db_prep_save(f.pre_save(obj, True), connection))
            continue
        plan = _plan(f)
        if plan is not None:
            value = getattr(obj, f.attname)
            if value is None or type(value) is plan[0]:
                if plan[1] is _AS_IS:
                    params.append(value)
                    continue
                prepared = plan[1](ops, value, plan[2])
                if prepared is not _FIELDS_WAY:
                    params.append(prepared)
                    continue
        params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    return params


# Preparing the ~95 values of a registration field by field (pre_save, get_db_prep_save,
# get_db_prep_value, get_prep_value, to_python) was ~6% of an online submission's CPU under
# load (py-spy). For a field whose methods are all Django's own, below, None or a value of the
# type named is prepared in one step to exactly what those methods return (about half the time,
# bench/intake_parts.py); any other field or value goes through the field's methods.
_AS_IS = None  # the value itself


def _integer(ops, value, internal_type: str):
    return ops.adapt_integerfield_value(value, internal_type)  # IntegerField.get_db_prep_value


def _auto_pk(ops, value, internal_type: str):
    return ops.validate_autopk_value(value)  # AutoFieldMixin.get_db_prep_value


def _datetime(ops, value, internal_type: str):
    if value is not None and value.utcoffset() is None:
        return _FIELDS_WAY  # naive: the field warns and makes it aware
    return ops.adapt_datetimefield_value(value)  # DateTimeField.get_db_prep_value


def _date(ops, value, internal_type: str):
    return ops.adapt_datefield_value(value)  # DateField.get_db_prep_value


_FIELDS_WAY = object()  # this value goes through the field's methods after all


# DateField's and DateTimeField's pre_save only differ from Field's with auto_now(_add).
_DATE_PRE_SAVES = (DateField.pre_save, DateTimeField.pre_save)
_PLANS: dict[int, tuple[Field, tuple | None]] = {}


def _plan(field: Field) -> tuple | None:
    """(value type, how its prepared value is made, internal type) or None."""
    entry = _PLANS.get(id(field))  # the entry holds the field: its id is not reused meanwhile
    if entry is None:
        entry = _PLANS[id(field)] = (field, _field_plan(field))
    return entry[1]


def _field_plan(field: Field) -> tuple | None:
    pre_save = type(field).pre_save
    plain = pre_save is Field.pre_save or (
        pre_save in _DATE_PRE_SAVES and not (field.auto_now or field.auto_now_add))
    if not plain:  # auto_now, encryption (which also sets the blind index)
        return None
    target = field
    if isinstance(field, ForeignKey):  # hands the value to the field it points to
        if type(field).get_db_prep_save is not ForeignKey.get_db_prep_save or _foreign_method(type(field)):
            return None
        target = field.target_field
    kind = _class_plan(type(target))
    if kind is None or (target is not field and kind[0] is not int):
        return None  # a key to a text column: ForeignKey turns "" into None under conditions
    return (*kind, target.get_internal_type())


_METHODS = ("pre_save", "get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")


def _foreign_method(cls: type[Field]) -> bool:
    """A class of the project or a library in `cls`'s ancestry defines one of _METHODS: Django's
    own call it through super(), so comparing the methods `cls` ends up with is not enough."""
    return any(name in klass.__dict__ for klass in cls.__mro__
               if not klass.__module__.startswith("django.") for name in _METHODS)


@cache
def _class_plan(cls: type[Field]) -> tuple | None:
    if cls.get_db_prep_save is not Field.get_db_prep_save or _foreign_method(cls):
        return None
    methods = (cls.get_db_prep_value, cls.get_prep_value, cls.to_python)
    if methods in ((Field.get_db_prep_value, CharField.get_prep_value, CharField.to_python),
                   (Field.get_db_prep_value, TextField.get_prep_value, TextField.to_python)):
        return str, _AS_IS
    if methods == (Field.get_db_prep_value, BooleanField.get_prep_value, BooleanField.to_python):
        return bool, _AS_IS
    if methods == (DateTimeField.get_db_prep_value, DateTimeField.get_prep_value, DateTimeField.to_python):
        return datetime, _datetime
    if methods == (DateField.get_db_prep_value, DateField.get_prep_value, DateField.to_python):
        return date, _date
    if methods[1] is IntegerField.get_prep_value:
        if methods[0] is IntegerField.get_db_prep_value:
            return int, _integer
        if methods[0] is AutoFieldMixin.get_db_prep_value:
            return int, _auto_pk
    return None


def fetchone_prepared(connection, sql: str, params: list) -> tuple | None:
    """Run one statement and return its first row. On PostgreSQL the statement is prepared on
    the connection (server-side binding) the first time, so later runs skip parsing and
    planning: for the registration's one big statement that is two thirds of what PostgreSQL
    spends on it (bench/intake_profile.py). Off with DB_PREPARED_STATEMENTS=0 (a transaction
    pooler such as PgBouncer before 1.21 cannot keep prepared statements)."""
    if connection.vendor != "postgresql" or not settings.ONESTOP_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    if connection.connection.prepare_threshold is None:  # Django's default: never prepare
        # prepare=True is ignored while it is None; this large a count prepares only on request.
        connection.connection.prepare_threshold = 2**31 - 1
    if _replan_due(connection):
        with connection.cursor() as cursor:
            cursor.execute("DISCARD PLANS")  # the statements stay prepared; only plans go
    raw = _prepared_cursor_class()(connection.connection)
    # Django's own wrapper, so execute_wrappers, query logging and error mapping still apply.
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    log = connection.queries_log
    if connection.queries_logged and log and log[-1]["sql"] is None:
        # psycopg keeps no query text for a prepared run; log what was run, as for the others
        log[-1]["sql"] = connection.ops.compose_sql(sql, params)
    return row


# PostgreSQL keeps a prepared statement's generic plan until ANALYZE changes the statistics of a
# table it reads, and autovacuum analyzes a database at most once a minute. A plan made on a new
# deployment's empty tables (e.g. the outbox, whose rows of the new case the statement updates)
# scans them whole, and the scan grows with every row written until then: in bench/intake_bench.py
# 2 ms per registration became 6 ms within 30 seconds. So the plans are remade from the tables'
# current sizes each time the prepared statements have run twice as often on the connection —
# roughly when what they wrote has doubled — until autovacuum's statistics can keep up.
REPLAN_FROM, REPLAN_UNTIL = 16, 2**16


def _replan_due(connection) -> bool:
    """Count a prepared run on this database connection; True on the runs that remake plans."""
    raw = id(connection.connection)
    owner, runs = getattr(connection, "_onestop_prepared_runs", (None, 0))
    runs = runs + 1 if owner == raw else 1
    connection._onestop_prepared_runs = (raw, runs)
    return REPLAN_FROM <= runs <= REPLAN_UNTIL and runs & (runs - 1) == 0


@cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg import _queries

    # psycopg re-parses the placeholders of a statement longer than 4 KB or with more than 50
    # parameters on every run (its parse cache skips them); ours has ~5 KB and ~110-125.
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", None) is not None:
        _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 32 * 1024)
        _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 1024)

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


def server_transaction_idle(connection) -> bool:
    """PostgreSQL has not been sent the current transaction's BEGIN yet — psycopg sends it with
    the transaction's first statement —, so nothing has been read or written in it so far."""
    from psycopg.pq import TransactionStatus

    connection.ensure_connection()
    return connection.connection.info.transaction_status == TransactionStatus.IDLE


@contextmanager
def autocommit_while_idle(connection) -> Iterator[None]:
    """Inside an atomic block that server_transaction_idle says has not begun on the server: the
    block's statements run each as a transaction of its own, and the atomic block's transaction
    begins with the first statement after it. For statements that belong to no transaction
    (nextval) or that are the whole of it; Django's commit then has nothing to do."""
    raw = connection.connection
    raw.autocommit = True
    try:
        yield
    finally:
        if not raw.closed:  # a lost connection is replaced whole (its error goes on up)
            raw.autocommit = False
