"""The registration's one statement (cases/sql.py fetchone_prepared): prepared once per
PostgreSQL connection and reused, switchable off for poolers, and still visible in the query log."""

from datetime import UTC, date, datetime
from enum import IntEnum
from types import SimpleNamespace

import pytest
from django.db import connection, models
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from cases.actors import Actor
from cases.models import Case

REGISTRATION = "WITH n AS (UPDATE"


def _prepared_runs() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", [REGISTRATION + "%"])
        return [runs for (runs,) in cursor.fetchall()]


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("预备语句只在 PostgreSQL 上使用（CI 在 PostgreSQL 上运行）。")


@pytest.mark.django_db
def test_registrations_on_one_connection_reuse_one_prepared_statement(gaoping, staff, register):
    _postgresql_only()
    clerk = Actor.staff(staff(gaoping, "tax"))
    cases = [register(gaoping, clerk) for _ in range(3)]
    assert [case.seq for case in cases] == [1, 2, 3]
    # The first registration of the year creates the counter row and runs the statement again:
    # four runs of the one statement, parsed by PostgreSQL once.
    assert _prepared_runs() == [4]
    assert Case.objects.filter(number__in=[case.number for case in cases]).count() == 3


@pytest.mark.django_db
def test_prepared_statements_can_be_switched_off_for_a_pooler(gaoping, staff, register, settings):
    _postgresql_only()
    settings.ONESTOP_PREPARED_STATEMENTS = False
    clerk = Actor.staff(staff(gaoping, "tax"))
    first, second = register(gaoping, clerk), register(gaoping, clerk)
    assert _prepared_runs() == []
    assert second.seq == first.seq + 1


@pytest.mark.django_db
def test_the_query_log_shows_the_statement_with_its_values(gaoping, staff, register):
    clerk = Actor.staff(staff(gaoping, "tax"))
    register(gaoping, clerk)  # the statement is prepared by now; the next run reuses it
    with CaptureQueriesContext(connection) as captured:
        case = register(gaoping, clerk, complainant_name="欧阳明")
    logged = [q["sql"] for q in captured.captured_queries]
    assert all(isinstance(sql, str) and sql for sql in logged)
    assert any(f"'{case.query_code}'" in sql for sql in logged)


def _outbox_scans() -> int:
    """Whole-table scans of the outbox so far in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq_scan FROM pg_stat_xact_user_tables "
                       "WHERE relname = 'notifications_outbox'")
        row = cursor.fetchone()
    return row[0] if row else 0


@pytest.mark.django_db
def test_a_plan_made_on_an_empty_table_is_remade_as_the_table_grows(gaoping, staff, register):
    """A new deployment: the statement's plan is made while the outbox is empty, so it reads the
    outbox by scanning it. Once the outbox has grown, registrations must stop scanning it (with
    a kept plan each of them read every row ever queued) without waiting for autovacuum."""
    _postgresql_only()
    from cases.sql import REPLAN_FROM

    clerk = Actor.staff(staff(gaoping, "tax"))
    with connection.cursor() as cursor:
        # Empty down to its file (earlier tests' rolled-back rows leave pages behind), as on a
        # new deployment; the test's transaction takes it back.
        cursor.execute("TRUNCATE notifications_outbox")
        cursor.execute("ANALYZE notifications_outbox")  # statistics say: empty
        cursor.execute("DISCARD PLANS")  # earlier tests on this connection planned it already
    connection._onestop_prepared_runs = (id(connection.connection), 0)  # as on a new connection
    for _ in range(REPLAN_FROM // 2 - 2):  # the year's first case runs the statement twice
        register(gaoping, clerk)
    with connection.cursor() as cursor:  # a busy first morning: 5,000 messages queued
        cursor.execute(
            "INSERT INTO notifications_outbox (event, channel, recipient, subject, body, "
            "dedupe_key, idempotency_key, status, attempts, next_attempt_at, last_error, "
            "provider_message_id, created_at) SELECT 'acknowledgement', 'sms', '13800000000', "
            "'', '短信', '', gen_random_uuid(), 'sent', 1, now(), '', '', now() "
            "FROM generate_series(1, 5000)")
    before = _outbox_scans()
    register(gaoping, clerk)
    assert _outbox_scans() > before, "the plan made on the empty outbox should scan it"
    while connection._onestop_prepared_runs[1] < REPLAN_FROM:
        register(gaoping, clerk)
    before = _outbox_scans()
    for _ in range(3):
        register(gaoping, clerk)
    assert _outbox_scans() == before


class Level(IntEnum):
    HIGH = 2


class Kind(models.TextChoices):
    PERSON = "individual", "个人"


VALUES = [None, "", "欧阳明", "13800000000", True, False, 0, 7, -3, 2**40, 2**70, 1.5, "12",
          datetime(2026, 3, 2, 9, 30, tzinfo=UTC), datetime(2026, 3, 2, 9, 30), date(2026, 3, 2),
          Level.HIGH, Kind.PERSON, mark_safe("<b>安全</b>"), gettext_lazy("个人"), F("id"), Value(1)]


def _prepared_by_the_fields_methods(obj, field):
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_values_are_prepared_exactly_as_the_fields_own_methods_prepare_them():
    """insert_values prepares most values in one step (cases/sql.py _plan): for every such field
    of every model and values of several types, the result — value and type, e.g. psycopg's Int8 on
    PostgreSQL (SQLite adapts integers to themselves: CI runs this on both engines) — or the error
    is what the field's own pre_save and get_db_prep_save give."""
    from django.apps import apps

    from cases.sql import _plan, insert_values

    compared = fast = 0
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if _plan(field) is None:
                continue  # prepared by its own methods, as the reference is
            fast += 1
            for value in VALUES:
                obj = model()
                setattr(obj, field.attname, value)
                try:
                    expected = _prepared_by_the_fields_methods(obj, field)
                except Exception as exc:  # noqa: BLE001 — the same error is expected
                    with pytest.raises(type(exc)):
                        insert_values(obj, fields=[field], connection=connection, exprs={})
                    continue
                obj = model()
                setattr(obj, field.attname, value)
                [got] = insert_values(obj, fields=[field], connection=connection, exprs={})
                assert (got, type(got)) == (expected, type(expected)), (model, field.name, value)
                compared += 1
    assert fast > 300 and compared > 2000


def test_fields_with_their_own_preparation_keep_it():
    from cases.sql import _plan

    case = Case._meta
    assert _plan(case.get_field("complainant_phone")) is None  # encrypted on save
    assert _plan(case.get_field("created_at")) is None  # auto_now_add
    assert _plan(case.get_field("received_at"))[0] is datetime  # an aware one in one step
    assert _plan(case.get_field("extra")) is None  # JSON
    assert _plan(case.get_field("facts"))[0] is str
    assert _plan(case.get_field("mechanism"))[0] is int


class Shouting(models.Field):
    def get_prep_value(self, value):
        return super().get_prep_value(value).upper()


class ShoutingCharField(models.CharField, Shouting):
    """CharField's own get_prep_value, which reaches Shouting's through super()."""


def test_a_field_whose_ancestry_changes_the_preparation_is_prepared_its_own_way():
    from cases.sql import _plan, insert_values

    field = ShoutingCharField(max_length=10)
    field.set_attributes_from_name("name")
    assert _plan(field) is None
    row = SimpleNamespace(name="abc")
    assert insert_values(row, fields=[field], connection=connection, exprs={}) == ["ABC"]
