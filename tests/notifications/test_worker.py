"""The worker entry points: run_outbox (loop and --once), and the django-tasks tasks."""

import os
import signal
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus

from cases.actors import Actor
from notifications.models import Outbox
from notifications.services import notification_enqueue
from notifications.tasks import (
    deadlines_sweep_task,
    outbox_send_task,
    report_build_task,
    report_builder_register,
)

pytestmark = pytest.mark.django_db


def enqueue(n: int = 1):
    for i in range(n):
        notification_enqueue(event="test", channel="sms", recipient="13900000001", body=f"第{i}条")


def test_run_outbox_once(memory_backend):
    enqueue(3)
    out = StringIO()
    call_command("run_outbox", "--once", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("消息发送：取出 3 条，成功 3 条")
    assert len(memory_backend.sent) == 3


def test_run_outbox_loop_stops_on_sigterm(memory_backend):
    enqueue(2)
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    out = StringIO()
    try:
        call_command("run_outbox", "--interval", "0.05", stdout=out)
    finally:
        timer.cancel()
    assert "成功 2 条" in out.getvalue().strip().splitlines()[-1]
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers are put back


def test_outbox_task_runs_on_the_immediate_backend(memory_backend):
    enqueue(2)
    result = outbox_send_task.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent"] == 2
    assert Outbox.objects.filter(status="sent").count() == 2


def test_outbox_task_keeps_going_while_batches_are_full(memory_backend):
    enqueue(5)
    outbox_send_task.enqueue(limit=2)
    assert Outbox.objects.filter(status="sent").count() == 5


def test_sweep_task_sweeps_and_sends(gaoping, staff, register, memory_backend, liaisons):
    case = register(gaoping, Actor.staff(staff(gaoping, "tax")))
    day = case.due_date.replace(year=case.due_date.year + 1).isoformat()
    result = deadlines_sweep_task.enqueue(today=day)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["overdue"] == 1
    assert result.return_value["outbox"]["sent"] == 2  # the acknowledgement and the reminder
    assert [m.event for m in memory_backend.sent] == ["acknowledgement", "reminder"]


def test_report_hook():
    @report_builder_register("test-report")
    def build(*, year: int) -> dict:
        return {"year": year, "rows": 3}

    result = report_build_task.enqueue(name="test-report", params={"year": 2026})
    assert result.return_value == {"year": 2026, "rows": 3}
    missing = report_build_task.enqueue(name="nope")
    assert missing.status == TaskResultStatus.FAILED
