"""TOTP second factor (django-otp): enrolment with a QR code, verification after the password."""

from __future__ import annotations

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.models import AuditAction
from security.services import audit_record

DEVICE_NAME = "身份验证器"


class OTPError(ValueError):
    pass


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being enrolled; the same one until confirmed, so reloading the
    page does not invalidate a QR code the user has already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_secret_text(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app without a camera."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """Inline SVG made here (no image service, no CDN: the key never leaves the server)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]  # drop the XML declaration to embed in HTML


def totp_device_confirm(*, request, token: str) -> TOTPDevice:
    """Confirm the pending device with a first code and mark this session as verified."""
    user = request.user
    if totp_device_confirmed(user=user) is not None:
        raise OTPError("您已启用双因素认证。如需更换手机，请联系系统管理员重置。")
    device = totp_device_pending(user=user)
    if not device.verify_token((token or "").strip()):
        audit_record(action=AuditAction.OTP_FAILED, request=request, detail={"step": "enrol"})
        raise OTPError("验证码不正确或已过期，请核对手机时间后输入最新的6位验证码。")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        audit_record(action=AuditAction.OTP_ENROLLED, request=request)
    otp_login(request, device)
    return device


def otp_session_verify(*, request, token: str) -> TOTPDevice:
    """Check a code against the user's confirmed devices; throttled by django-otp."""
    user = request.user
    token = (token or "").strip()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            audit_record(action=AuditAction.OTP_FAILED, request=request, detail={"throttled": True})
            raise OTPError("验证失败次数过多，请稍后再试。")
        if device.verify_token(token):
            otp_login(request, device)
            audit_record(action=AuditAction.OTP_VERIFIED, request=request)
            return device
    audit_record(action=AuditAction.OTP_FAILED, request=request, detail={"step": "verify"})
    raise OTPError("验证码不正确或已过期，请输入身份验证器中最新的6位验证码。")


def totp_device_reset(*, user, actor_label: str) -> int:
    """Remove a user's devices (lost phone). Only from the command line, and audited."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(action=AuditAction.OTP_RESET, obj=user, detail={"devices": count, "by": actor_label})
    return count
