"""Passwords, lockout after 5 failures (username + address), login/logout in the audit trail."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from security.models import AuditAction, AuditEvent
from security.passwords import CharacterClassValidator
from tests.security.conftest import PASSWORD, login_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password, classes", [
    ("abcdefgh", 1), ("abcd1234", 2), ("Abcd1234", 3), ("abcd12#$", 3), ("Ab1#", 4),
    ("征缴争议abc12", 3),  # Chinese characters count as symbols
])
def test_character_classes_are_counted(password, classes):
    assert CharacterClassValidator().classes_in(password) == classes


def test_password_rules_need_eight_characters_and_three_classes():
    for weak in ("abcd1234", "ABCDEFGH12", "Ab1#x", "password"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    with pytest.raises(ValidationError) as error:
        validate_password("gaopingzhengjiao2026")
    assert "大写字母、小写字母、数字、符号" in " ".join(error.value.messages)
    validate_password("Gaoping#2026")
    validate_password("zhengjiao-2026")  # lower + symbol + digit


def test_a_good_login_is_audited(client, clerk):
    response = login_post(client, "gp_clerk", PASSWORD)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.user == clerk and event.ip == "10.0.0.8"
    client.post("/admin/logout/")
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, user=clerk).exists()


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, clerk):
    for _ in range(5):
        response = login_post(client, "gp_clerk", "wrong-password")
        assert not response.wsgi_request.user.is_authenticated
    response = login_post(client, "gp_clerk", PASSWORD)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    page = response.content.decode()
    assert "登录已暂停" in page and "30 分钟" in page
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == 6 and set(failed.values_list("username", flat=True)) == {"gp_clerk"}
    assert failed.filter(detail__locked=True).exists()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_lockout_is_per_username_and_address(client, clerk):
    for _ in range(5):
        login_post(client, "gp_clerk", "wrong-password")
    assert login_post(client, "gp_clerk", PASSWORD).status_code == 429
    # The same account from another machine is not locked (the pair is).
    response = login_post(client, "gp_clerk", PASSWORD, address="10.0.0.9")
    assert response.status_code == 302


def test_login_works_again_after_the_cool_off(client, clerk):
    for _ in range(5):
        login_post(client, "gp_clerk", "wrong-password")
    assert login_post(client, "gp_clerk", PASSWORD).status_code == 429
    # 31 minutes later: move the recorded attempts back instead of waiting.
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - timedelta(minutes=31))
    response = login_post(client, "gp_clerk", PASSWORD)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_four_failures_then_success_start_the_count_again(client, clerk):
    for _ in range(4):
        login_post(client, "gp_clerk", "wrong-password")
    assert login_post(client, "gp_clerk", PASSWORD).status_code == 302
    client.post("/admin/logout/")
    for _ in range(4):
        login_post(client, "gp_clerk", "wrong-password")
    assert login_post(client, "gp_clerk", PASSWORD).status_code == 302


def test_the_test_clients_login_without_a_request_still_works(client, clerk):
    assert client.login(username="gp_clerk", password=PASSWORD)
    assert not client.login(username="gp_clerk", password="wrong-password")
