"""Fixtures for the outside systems: keys for the seed mechanisms and a client that posts JSON."""

import json
import random

import pytest
from django.test import Client

from cases.identity import make_mobile, make_resident_id
from integrations.keys import api_key_create
from tests.cases.conftest import gaoping, register, staff, yuanjiang  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    # Rate counters live in the cache for a minute: one test's requests must not count in the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class ApiClient:
    """Posts and reads as an outside system would: raw bytes, its own headers."""

    def __init__(self, key: str | None = None):
        self.client = Client()
        self.key = key

    def _headers(self, key):
        key = self.key if key is None else key
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}

    def post(self, path: str, data=None, *, raw: bytes | None = None, key: str | None = None):
        body = raw if raw is not None else json.dumps(data, ensure_ascii=False).encode("utf-8")
        return self.client.generic("POST", path, body, content_type="application/json",
                                   **self._headers(key))

    def get(self, path: str, *, key: str | None = None, **extra):
        return self.client.get(path, **self._headers(key), **extra)


@pytest.fixture
def hotline_key(gaoping):  # noqa: F811 - the imported fixture
    """A key bound to Gaoping's 12345 hotline: (ApiKey, raw key)."""
    return api_key_create(name="12345热线工单系统", mechanism=gaoping,
                          channel=gaoping.channels.get(code="hotline-12345"))


@pytest.fixture
def api(hotline_key):
    return ApiClient(hotline_key[1])


@pytest.fixture
def case_payload():
    rng = random.Random(11)

    def make(**overrides):
        values = {
            "channel_ticket": "12345-20261122-0001", "complainant_type": "individual",
            "complainant_name": "李桂芳", "complainant_id_number": make_resident_id(rng),
            "complainant_phone": make_mobile(rng), "category": "late-fee",
            "facts": "单位迟报工资基数，税务部门向本人加收滞纳金。", "request": "请求核减滞纳金。",
        }
        values.update(overrides)
        return values

    return make


@pytest.fixture
def fed_back(staff):  # noqa: F811 - the imported fixture
    """Walk a registered case to 已反馈: office transfers to tax, tax settles, office answers."""
    from cases.actors import Actor
    from cases.services.closing import case_feedback
    from cases.services.handling import case_receive, case_settle, case_transfer

    def run(case):
        mechanism = case.mechanism
        office = Actor.staff(staff(mechanism, "office"))
        tax = Actor.staff(staff(mechanism, "tax"))
        case = case_transfer(case=case, actor=office, lead_unit=mechanism.units.get(code="tax"))
        case = case_receive(case=case, actor=tax)
        case = case_settle(case=case, actor=tax, method="explanation",
                           result="经核实，滞纳金因单位迟报产生，已责成单位承担。")
        return case_feedback(case=case, actor=office, method="phone",
                             content="经核实，滞纳金因单位迟报产生，由单位承担，已电话告知。")

    return run
