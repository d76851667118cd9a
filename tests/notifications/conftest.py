"""Fixtures for the outbox: the seed mechanisms, a backend that fails on demand."""

from typing import ClassVar

import pytest

from notifications.backends import BaseBackend, MemoryBackend, OutgoingMessage
from tests.cases.conftest import gaoping, register, staff, yuanjiang  # noqa: F401 - fixtures


class FlakyBackend(BaseBackend):
    """Raises while `failing` is set; records every message it accepts."""

    failing: ClassVar[bool] = False
    calls: ClassVar[int] = 0
    sent: ClassVar[list[OutgoingMessage]] = []

    def send(self, message: OutgoingMessage) -> str:
        type(self).calls += 1
        if type(self).failing:
            raise ConnectionError("短信网关维护中")
        type(self).sent.append(message)
        return f"flaky-{len(type(self).sent)}"


@pytest.fixture
def memory_backend(settings):
    MemoryBackend.sent = []
    settings.ONESTOP_NOTIFICATION_BACKENDS = {"sms": "notifications.backends.MemoryBackend",
                                              "email": "notifications.backends.MemoryBackend"}
    yield MemoryBackend
    MemoryBackend.sent = []


@pytest.fixture
def flaky_backend(settings):
    FlakyBackend.failing, FlakyBackend.calls, FlakyBackend.sent = False, 0, []
    settings.ONESTOP_NOTIFICATION_BACKENDS = {"sms": "tests.notifications.conftest.FlakyBackend",
                                              "email": "tests.notifications.conftest.FlakyBackend"}
    return FlakyBackend


@pytest.fixture
def liaisons(gaoping):  # noqa: F811 - the imported fixture
    """Give every Gaoping unit a liaison mobile: 1390000000<n>."""
    for n, unit in enumerate(gaoping.units.order_by("pk")):
        unit.liaison_phone = f"139000000{n:02d}"
        unit.save(update_fields=["liaison_phone"])
    return {unit.code: unit.liaison_phone for unit in gaoping.units.all()}
