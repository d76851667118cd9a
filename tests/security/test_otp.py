"""Optional TOTP for staff: enrol with a QR code, then the code after every password login."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import AuditAction, AuditEvent
from tests.security.conftest import PASSWORD, login_post

pytestmark = pytest.mark.django_db

ENROL = "/admin/security/otp/"
VERIFY = "/admin/security/otp/verify/"


def code(device, steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return str(totp.token()).zfill(device.digits)


@pytest.fixture
def enrolled(client, clerk):
    """The clerk enrols through the page; returns the confirmed device."""
    login_post(client, "gp_clerk", PASSWORD)
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=clerk, confirmed=False)
    response = client.post(ENROL, {"token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    client.post("/admin/logout/")
    return device


def test_the_enrol_page_shows_an_inline_qr_code_and_the_key(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    html = client.get(ENROL).content.decode()
    assert "<svg" in html and "<?xml" not in html
    assert "otpauth://" not in html  # the URI is only inside the QR code
    assert "chart.googleapis" not in html and "<img" not in html.split("otp-qr")[1][:200]
    device = TOTPDevice.objects.get(user=clerk)
    assert not device.confirmed
    # Reloading keeps the same key (a scanned code stays valid until confirmed).
    client.get(ENROL)
    assert TOTPDevice.objects.get(user=clerk).key == device.key


def test_a_wrong_first_code_does_not_enrol(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    client.get(ENROL)
    response = client.post(ENROL, {"token": "000000"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=clerk, confirmed=True).exists()
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).exists()


def test_enrolment_is_audited_and_verifies_the_current_session(client, clerk):
    login_post(client, "gp_clerk", PASSWORD)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=clerk)
    client.post(ENROL, {"token": code(device)})
    assert AuditEvent.objects.filter(action=AuditAction.OTP_ENROLLED, user=clerk).exists()
    assert client.get("/admin/").status_code == 200
    assert "已启用双因素认证" in client.get(ENROL).content.decode()


def test_after_the_password_every_admin_page_asks_for_the_code(client, clerk, enrolled):
    login_post(client, "gp_clerk", PASSWORD)
    for path in ("/admin/", "/admin/cases/case/", "/files/attachments/1/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY), path
    assert client.get(VERIFY).status_code == 200
    assert client.get("/").status_code in (200, 404)  # the public site is not gated


def test_a_wrong_code_is_refused_and_audited(client, clerk, enrolled):
    login_post(client, "gp_clerk", PASSWORD)
    response = client.post(VERIFY, {"token": "123456", "next": "/admin/"})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED, user=clerk).exists()


def test_the_right_code_opens_the_admin(client, clerk, enrolled):
    login_post(client, "gp_clerk", PASSWORD)
    response = client.post(VERIFY, {"token": code(enrolled, steps=1), "next": "/admin/cases/case/"})
    assert response.status_code == 302 and response["Location"] == "/admin/cases/case/"
    assert client.get("/admin/cases/case/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.OTP_VERIFIED, user=clerk).exists()


def test_verify_refuses_to_redirect_off_site(client, clerk, enrolled):
    login_post(client, "gp_clerk", PASSWORD)
    response = client.post(VERIFY, {"token": code(enrolled, steps=1), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_without_the_setting_staff_need_not_enrol(client, clerk, settings):
    settings.ONESTOP_REQUIRE_2FA_FOR_STAFF = False
    login_post(client, "gp_clerk", PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_the_setting_forces_staff_to_enrol_first(client, clerk, settings):
    settings.ONESTOP_REQUIRE_2FA_FOR_STAFF = True
    login_post(client, "gp_clerk", PASSWORD)
    response = client.get("/admin/cases/case/")
    assert response.status_code == 302 and response["Location"] == ENROL
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=clerk)
    client.post(ENROL, {"token": code(device)})
    assert client.get("/admin/cases/case/").status_code == 200


def test_otp_reset_command_removes_the_device_and_is_audited(clerk, enrolled):
    from django.core.management import call_command

    call_command("otp_reset", "gp_clerk")
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert AuditEvent.objects.get(action=AuditAction.OTP_RESET).target_label == "gp_clerk"
