"""Idle timeout (30 minutes) and absolute lifetime (12 hours) of a signed-in session."""

import time

import pytest
from django.conf import settings

from security.models import AuditAction, AuditEvent
from security.signals import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.security.conftest import PASSWORD, login_post

pytestmark = pytest.mark.django_db


def _age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT_KEY, "seen": LAST_SEEN_KEY}[key]] = now - ago
    session.save()


def test_settings_bound_the_session():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.ONESTOP_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.ONESTOP_SESSION_MAX_SECONDS == 12 * 3600


def test_login_stamps_the_session(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    session = client.session
    assert abs(session[LOGIN_AT_KEY] - time.time()) < 5
    assert session[LAST_SEEN_KEY] == session[LOGIN_AT_KEY]


def test_an_active_user_stays_signed_in(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    _age(client, login=11 * 3600, seen=29 * 60)
    assert client.get("/admin/").status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5  # activity moves the idle clock


def test_thirty_idle_minutes_sign_the_user_out(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    _age(client, seen=31 * 60)
    response = client.get("/admin/cases/case/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not response.wsgi_request.user.is_authenticated
    event = AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED)
    assert event.user == clerk and event.detail == {"reason": "idle"}
    page = client.get(response["Location"]).content.decode()
    assert "超过30分钟未操作" in page


def test_twelve_hours_after_login_the_session_ends_however_active(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    _age(client, login=12 * 3600 + 60, seen=10)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert AuditEvent.objects.get(action=AuditAction.SESSION_EXPIRED).detail == {"reason": "absolute"}


def test_a_force_logged_in_session_is_timed_too(client, clerk):
    client.force_login(clerk)
    _age(client, seen=45 * 60)
    assert client.get("/admin/").status_code == 302
