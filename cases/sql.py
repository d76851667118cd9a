"""Statements the ORM cannot write (a data-modifying WITH, ON CONFLICT … RETURNING), built from a
model instance with its values prepared exactly as Model.save() prepares them."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Field, Model


def insert_sql(obj: Model, *, fields: list[Field], connection) -> tuple[str, list]:
    """`INSERT INTO <table> (<fields>) VALUES (…)` and its parameters for `obj`. Each value goes
    through the field's pre_save (auto_now, blind indexes) and get_db_prep_save (dates as the
    backend stores them, JSON, encryption), as Django's own INSERT does."""
    quote = connection.ops.quote_name
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    return (f"INSERT INTO {quote(obj._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})", values)


def insert_select_sql(obj: Model, *, fields: list[Field], connection, source: str,
                      exprs: dict[str, Callable[[object], tuple[str, list]]]) -> tuple[str, list]:
    """`INSERT INTO <table> (<fields>) SELECT … FROM <source>`: the values prepared as insert_sql
    prepares them, except the columns in `exprs`, whose SQL (and parameters) each callable makes
    from the prepared value — e.g. a number only the same statement knows."""
    quote = connection.ops.quote_name
    items, params = [], []
    for f in fields:
        value = f.get_db_prep_save(f.pre_save(obj, True), connection)
        if f.column in exprs:
            sql, extra = exprs[f.column](value)
            items.append(sql)
            params += extra
        else:
            items.append("%s")
            params.append(value)
    return (f"INSERT INTO {quote(obj._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"SELECT {', '.join(items)} FROM {source}", params)
