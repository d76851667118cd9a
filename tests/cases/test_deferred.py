"""Rows a registration writes with its numbered case row (cases.deferred): what the office and
the complainant get must be the same as if each row had been written on its own."""

import pytest

from cases.actors import Actor
from cases.deferred import row_defer, rows_deferred
from cases.errors import CaseError
from cases.models import Attachment, Case, TimelineEvent
from notifications.models import Outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook(monkeypatch):
    """hook(fn): run fn(event) for every timeline event, after the project's own hooks."""
    from cases.services import core

    def add(fn):
        monkeypatch.setattr(core, "EVENT_HOOKS", [*core.EVENT_HOOKS, fn])

    return add


def test_a_message_queued_twice_during_a_registration_is_sent_once(gaoping, staff, register, hook):
    from notifications.services import notification_enqueue

    def twice(event):
        for _ in range(2):  # e.g. two rules that both text the office about the same case
            notification_enqueue(event="probe", channel="sms", recipient="13800000000",
                                 body=f"新登记 {event.case.number}", case=event.case,
                                 dedupe_key=f"probe-{event.case_id}")

    hook(twice)
    case = register(gaoping, Actor.staff(staff(gaoping, "tax")))
    sent = Outbox.objects.get(dedupe_key=f"probe-{case.pk}")  # one row, not two
    assert sent.body == f"新登记 {case.number}"  # the real number, not the provisional one
    assert Outbox.objects.filter(case=case, event="acknowledgement").count() == 1


def test_a_message_queued_in_a_savepoint_that_rolls_back_is_not_sent(gaoping, staff, register, hook):
    """A hook's own savepoint (the group warning's) rolls back what it queued, as a plain
    INSERT in it would be rolled back: the office gets no text about a warning that is not there."""
    from django.db import transaction

    from notifications.services import outbox_enqueue

    def queue_then_fail(event):
        try:
            with transaction.atomic():
                outbox_enqueue(event="probe", channel="sms", recipient="13800000000",
                               body="预警", case=event.case, dedupe_key=f"probe-{event.case_id}")
                raise RuntimeError("测试：预警写到一半失败")
        except RuntimeError:
            pass  # as warning_on_register does: a warning never stops a registration

    hook(queue_then_fail)
    case = register(gaoping, Actor.staff(staff(gaoping, "tax")))
    assert not Outbox.objects.filter(dedupe_key=f"probe-{case.pk}").exists()
    assert Outbox.objects.filter(case=case, event="acknowledgement").count() == 1


def test_a_registration_refused_by_a_hook_leaves_nothing_for_the_next_one(
        gaoping, staff, register, hook):
    refuse = {"once": True}

    def refuse_first(event):
        if refuse.pop("once", False):
            raise CaseError("测试：登记被拒绝")

    hook(refuse_first)
    clerk = Actor.staff(staff(gaoping, "tax"))
    with pytest.raises(CaseError):
        register(gaoping, clerk, complainant_phone="13911111111")
    assert not TimelineEvent.objects.exists() and not Outbox.objects.exists()
    from notifications.services import notification_enqueue

    # After it, a message queued elsewhere is written at once, not held for a case.
    notification_enqueue(event="probe", channel="sms", recipient="13800000000", body="测试")
    assert Outbox.objects.filter(event="probe").exists()
    case = register(gaoping, clerk, complainant_phone="13922222222")
    assert case.number.endswith("-000001")
    # Only the second registration's rows: nothing held from the refused one was written.
    assert list(TimelineEvent.objects.values_list("case_id", flat=True)) == [case.pk]
    assert [o.recipient for o in Outbox.objects.filter(case=case)] == ["13922222222"]
    assert Case.objects.get().events.get().public_text.endswith(case.number)


def test_a_row_with_history_is_never_held_back(gaoping):
    with rows_deferred(), pytest.raises(TypeError):
        row_defer(Attachment(original_name="欠费通知.jpg"))


def test_outside_a_registration_nothing_is_held_back(gaoping):
    assert row_defer(Outbox(event="probe", channel="sms", recipient="13800000000")) is False


def _id_queries(captured) -> int:
    return sum("nextval(pg_get_serial_sequence" in q["sql"] for q in captured.captured_queries)


def test_ids_come_from_the_sequences_a_block_at_a_time(gaoping, staff, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("主键成批预取只在 PostgreSQL 上使用（CI 在 PostgreSQL 上运行）。")
    clerk = Actor.staff(staff(gaoping, "tax"))
    with CaptureQueriesContext(connection) as captured:
        cases = [register(gaoping, clerk) for _ in range(20)]
    assert _id_queries(captured) <= 3  # not one round trip per registration
    ids = [case.pk for case in cases]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    events = TimelineEvent.objects.filter(case__in=cases, action="register")
    assert events.count() == 20
    assert all(case.number in event.public_text for case, event in
               zip(cases, events.order_by("case_id"), strict=True))


def test_a_forked_worker_does_not_reuse_the_ids_its_parent_took(gaoping, staff, register,
                                                               monkeypatch):
    import os

    from django.db import connection

    from cases import deferred

    if connection.vendor != "postgresql":
        pytest.skip("主键成批预取只在 PostgreSQL 上使用（CI 在 PostgreSQL 上运行）。")
    clerk = Actor.staff(staff(gaoping, "tax"))
    register(gaoping, clerk)  # the parent holds the rest of a block
    parent_ids = set(deferred._id_pool(connection)[Case])
    assert parent_ids
    monkeypatch.setattr(deferred.os, "getpid", lambda: os.getppid() + 100000)  # "after fork"
    child = register(gaoping, clerk)
    assert child.pk not in parent_ids and child.pk > max(parent_ids)
