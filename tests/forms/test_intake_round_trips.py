"""What an online submission asks of PostgreSQL on a worker's kept connection: two round trips —
the health check, which reads the configuration stamp (config/postgresql), and the registration's
one statement, a transaction of its own (cases.numbering, ends_transaction) — and what still holds
when that statement is refused, or is the year's first, or the connection was dropped."""

import os
import random
import re
import tempfile
import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import Client
from psycopg.pq import Trace

from cases.confcache import config_changed
from cases.deferred import _id_pool
from cases.identity import make_mobile, make_resident_id
from cases.models import Case, CaseCounter, TimelineEvent
from forms.models import IntakeReceipt
from notifications.models import Outbox

pytestmark = pytest.mark.django_db(transaction=True)
FORM = "/submit/gaoping/"
CLOSED = "网上受理暂未开通"


@pytest.fixture
def gaoping():
    if connection.vendor != "postgresql":
        pytest.skip("健康检查与单语句事务只在 PostgreSQL 上（CI 在 PostgreSQL 上运行）。")
    from home.demo import demo_home_page
    from tests.factories import load_mechanisms

    mechanism = load_mechanisms("gaoping")["gaoping"]
    demo_home_page()
    return mechanism


def form(gaoping, rng: random.Random, **changes) -> dict:
    data = {
        "complainant_type": "individual", "complainant_name": "赵春生",
        "complainant_id_number": make_resident_id(rng), "complainant_phone": make_mobile(rng),
        "category": str(gaoping.categories.get(code="refund").pk),
        "facts": "重复缴纳城乡居民养老保险费，申请退费两个月仍未到账。", "request": "请尽快退费。",
        "people_count": "1", "privacy_consent": "on",
        "submission_token": f"{rng.getrandbits(128):032x}",
    }
    return {**data, **changes}


def serve_post(data: dict) -> str:
    """POST as a gunicorn worker serves it: Django's request_started check of the kept
    connection first (the test client skips it), on a fresh client (a new visitor)."""
    close_old_connections()
    return Client().post(FORM, data).content.decode()


def number_in(html: str) -> str | None:
    found = re.search(r'id="case-number">([^<]+)<', html)
    return found and found.group(1)


class WireLog:
    """libpq's own trace of what went over the wire (messages, not timings)."""

    def __enter__(self):
        connection.ensure_connection()
        self.file = tempfile.NamedTemporaryFile("w+", suffix=".trace", delete=False)
        self.pgconn = connection.connection.pgconn
        self.pgconn.trace(self.file.fileno())
        self.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        return self

    def __exit__(self, *exc):
        self.pgconn.untrace()
        self.file.seek(0)
        self.lines = [line.rstrip("\n").split("\t") for line in self.file]
        self.file.close()
        os.unlink(self.file.name)

    @property
    def round_trips(self) -> int:  # PostgreSQL answers each with ReadyForQuery
        return sum(1 for line in self.lines if line[0] == "B" and line[2] == "ReadyForQuery")

    @property
    def simple_queries(self) -> list[str]:
        return [line[3].strip().strip('"') for line in self.lines
                if line[0] == "F" and line[2] == "Query"]


def warm_up(gaoping, rng) -> None:
    """The year's first submission (the counter row, the default message templates: a
    configuration change), the first after that change (the configuration read again, inside its
    transaction) and a lone one (its statement prepared): later ones are like a worker's."""
    for _ in range(3):
        assert number_in(serve_post(form(gaoping, rng)))


def test_a_submission_on_a_kept_connection_is_two_round_trips(gaoping):
    rng = random.Random(3)
    _id_pool(connection).clear()  # the first submission takes a new block of ids
    warm_up(gaoping, rng)
    data = form(gaoping, rng, complainant_name="钱小梅")
    with WireLog() as wire:
        html = serve_post(data)
    number = number_in(html)
    assert number
    # The health check that read the stamp, then the registration: no SELECT 1, no separate stamp
    # read, no BEGIN or COMMIT.
    assert wire.simple_queries == ["SELECT token FROM cases_configstamp WHERE id = 1"]
    assert wire.round_trips == 2
    case = Case.objects.get(number=number)  # committed: a new transaction here sees all of it
    assert IntakeReceipt.objects.get(token=data["submission_token"]).case == case
    assert TimelineEvent.objects.filter(case=case, action="register").exists()
    assert case.history.get(history_type="+").history_change_reason.startswith("受理登记")
    assert Outbox.objects.filter(case=case, event="acknowledgement").exists()


def test_a_submission_that_takes_a_new_block_of_ids_is_still_one_transaction(gaoping):
    """Ids come from the sequences 16 at a time (cases.deferred); the block is taken before the
    registration's transaction begins, and the registration stays one statement."""
    rng = random.Random(9)
    warm_up(gaoping, rng)
    _id_pool(connection).clear()
    data = form(gaoping, rng)
    with WireLog() as wire:
        number = number_in(serve_post(data))
    assert number and Case.objects.filter(number=number).exists()
    queries = wire.simple_queries
    assert len(queries) == 2 and queries[1].startswith("SELECT nextval(")
    assert wire.round_trips == 3  # stamp, ids, registration: no BEGIN, no COMMIT


def _statement_bound(wire: WireLog) -> str:
    """The text of the prepared statement the traced request ran (its Bind names it)."""
    [name] = [re.search(r'"(_pg3_\d+)"', line[3]).group(1) for line in wire.lines
              if line[0] == "F" and line[2] == "Bind"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_only_a_registration_that_wrote_rows_before_numbers_them_afterwards(gaoping):
    """A lone statement cannot have rows with the provisional number before it, so it updates no
    earlier rows; a group submission writes its warning first, and that warning gets the number."""
    from analytics.models import Warning
    from cases.numbering import PROVISIONAL_PREFIX

    rng = random.Random(5)
    warm_up(gaoping, rng)
    with WireLog() as wire:
        lone = Case.objects.get(number=number_in(serve_post(form(gaoping, rng))))
    statement = _statement_bound(wire)
    # The counter's UPDATE only: no table that can hold the provisional number is updated.
    assert statement.startswith("WITH n AS (UPDATE") and statement.count("UPDATE ") == 1
    event = TimelineEvent.objects.get(case=lone, action="register")
    acknowledgement = Outbox.objects.get(case=lone, event="acknowledgement")
    assert lone.number in event.public_text and lone.number in acknowledgement.body
    with WireLog() as wire:
        html = serve_post(form(gaoping, rng, people_count="30"))
    assert "UPDATE \"analytics_warning\"" in _statement_bound(wire)
    group = Case.objects.get(number=number_in(html))
    warning = Warning.objects.get(cases=group)
    assert group.number in warning.message and PROVISIONAL_PREFIX not in warning.message + warning.key
    assert group.number in Outbox.objects.get(case=group, event="acknowledgement").body

def test_the_first_case_of_a_year_is_numbered_one_without_a_counter_row(gaoping):
    rng = random.Random(4)
    assert not CaseCounter.objects.exists()
    first = number_in(serve_post(form(gaoping, rng)))
    second = number_in(serve_post(form(gaoping, rng)))
    assert first.endswith("-000001") and second.endswith("-000002")
    assert CaseCounter.objects.get().last_value == 2


def test_a_transaction_after_a_lone_registration_still_rolls_back(gaoping):
    """The statement ran in autocommit; the connection is a transactional one again after it."""
    rng = random.Random(5)
    assert number_in(serve_post(form(gaoping, rng)))
    assert number_in(serve_post(form(gaoping, rng)))
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_casecounter SET last_value = 100")
        raise RuntimeError
    assert CaseCounter.objects.get().last_value == 2
    assert number_in(serve_post(form(gaoping, rng))).endswith("-000003")


def test_a_refused_lone_statement_leaves_nothing_and_the_repost_gets_its_receipt(gaoping):
    rng = random.Random(6)
    data = form(gaoping, rng)
    serve_post(form(gaoping, rng))  # the statement is prepared and runs alone from now on
    first = number_in(serve_post(data))
    # The same form again: its statement fails on the taken token, in autocommit, and the
    # person sees the first case, not a second one nor an error.
    again = serve_post(data)
    assert number_in(again) == first
    assert Case.objects.count() == 2
    assert number_in(serve_post(form(gaoping, rng)))  # and the worker goes on


def test_a_change_saved_by_another_worker_shows_on_the_next_request(gaoping):
    rng = random.Random(7)
    assert number_in(serve_post(form(gaoping, rng)))  # routes and the channel now cached
    channel = gaoping.channels.get(is_online_form=True)

    def another_worker():  # its own connection, its own commit
        try:
            channel.is_active = False
            channel.save()  # renews the stamp (cases.confcache)
        finally:
            connection.close()

    worker = threading.Thread(target=another_worker)
    worker.start()
    worker.join()
    html = serve_post(form(gaoping, rng))
    assert CLOSED in html and not number_in(html)


def test_a_connection_the_server_dropped_is_replaced_before_the_submission(gaoping):
    rng = random.Random(8)
    assert number_in(serve_post(form(gaoping, rng)))
    data = form(gaoping, rng)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    killer_ok = []

    def kill():  # e.g. PostgreSQL restarted, or idle connections cut by a firewall
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                killer_ok.append(cursor.fetchone()[0])
        finally:
            connection.close()

    killer = threading.Thread(target=kill)
    killer.start()
    killer.join()
    assert killer_ok == [True]
    html = serve_post(data)  # nothing asked outside the request: its health check finds out
    assert number_in(html), html[:2000]
    assert Case.objects.count() == 2


def test_a_change_in_this_request_is_read_back_after_the_health_check(gaoping):
    """The token the health check read is the request's; a change the request itself makes
    renews it, and what the request reads after that is the new configuration."""
    from cases.confcache import cached, current_token

    close_old_connections()
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    try:
        before = current_token()
        assert cached(("probe",), lambda: "old") == "old"
        config_changed()
        assert current_token() != before
        assert cached(("probe",), lambda: "new") == "new"
    finally:
        request_finished.send(sender=None)
