"""Fixtures for the case engine: both seed mechanisms, staff of given units, a case maker."""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.actors import Actor
from cases.identity import make_mobile, make_resident_id
from cases.services.intake import case_register
from cases.services.mechanisms import mechanism_load

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def gaoping(db):
    return mechanism_load(source="gaoping").mechanism


@pytest.fixture
def yuanjiang(db):
    return mechanism_load(source="yuanjiang").mechanism


@pytest.fixture
def staff(db, django_user_model):
    """staff(mechanism, "tax") -> a user in that unit's group (one per unit and name)."""

    def make(mechanism, unit_code: str, name: str = ""):
        unit = mechanism.units.get(code=unit_code)
        username = name or f"{mechanism.case_prefix.lower()}_{unit_code}".replace("-", "_")
        user, _ = django_user_model.objects.get_or_create(username=username)
        user.groups.add(unit.group)
        return user

    return make


@pytest.fixture
def leader(db, django_user_model):
    def make(mechanism):
        user = django_user_model.objects.create(username=f"{mechanism.case_prefix.lower()}_leader")
        user.groups.add(mechanism.leaders_group)
        return user

    return make


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def register(db):
    """register(mechanism, actor, **overrides) -> a new case through the service."""
    rng = random.Random(7)

    def make(mechanism, actor: Actor, **overrides):
        hotline = mechanism.channels.get(code="hotline-12345")
        values = dict(
            mechanism=mechanism, channel=hotline, actor=actor, complainant_type="individual",
            complainant_name="王建国", complainant_id_number=make_resident_id(rng),
            complainant_phone=make_mobile(rng), category=mechanism.categories.get(code="late-fee"),
            facts="2025年3月起单位未按时申报，税务部门加收滞纳金，本人认为不应由个人承担。",
            request="请求核实并退还多收的滞纳金。",
        )
        values.update(overrides)
        return case_register(**values)

    return make
