"""Fixtures for the security tests: the case engine's mechanisms, staff and case maker, plus a
password-holding clerk who logs in through Wagtail's real login form."""

import pytest
from django.core.cache import cache

from tests.cases import conftest as case_fixtures

# the case engine's fixtures, shared (pytest_plugins is only allowed in the root conftest)
gaoping, yuanjiang = case_fixtures.gaoping, case_fixtures.yuanjiang
staff, leader, register = case_fixtures.staff, case_fixtures.leader, case_fixtures.register

PASSWORD = "Gaoping#2026"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clerk(gaoping, staff):
    """A staff member of 高平 with a password (the fixtures' staff have none)."""
    user = staff(gaoping, "petition", "gp_clerk")
    user.set_password(PASSWORD)
    user.save()
    return user


def login_post(client, username: str, password: str, address: str = "10.0.0.8"):
    return client.post(LOGIN, {"username": username, "password": password},
                       REMOTE_ADDR=address)
