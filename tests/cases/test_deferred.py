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
