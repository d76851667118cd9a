"""Second-factor pages: enrol (QR code + first code) and verify (after the password)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from security.forms import TokenForm
from security.otp import (
    OTPError,
    otp_session_verify,
    totp_device_confirm,
    totp_device_confirmed,
    totp_device_pending,
    totp_qr_svg,
    totp_secret_text,
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def otp_enrol(request):
    user = request.user
    if totp_device_confirmed(user=user) is not None:
        return TemplateResponse(request, "security/otp_enrol.html", {"enrolled": True})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            totp_device_confirm(request=request, token=form.cleaned_data["token"])
        except OTPError as error:
            form.add_error("token", str(error))
        else:
            messages.success(request, "双因素认证已启用。今后登录时，输入密码后还需输入身份验证器中的验证码。")
            return redirect("wagtailadmin_home")
    device = totp_device_pending(user=user)
    return TemplateResponse(request, "security/otp_enrol.html", {
        "enrolled": False, "form": form, "qr_svg": totp_qr_svg(device),
        "secret": totp_secret_text(device)})


def otp_verify(request):
    user = request.user
    if user.is_verified() or totp_device_confirmed(user=user) is None:
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otp_session_verify(request=request, token=form.cleaned_data["token"])
        except OTPError as error:
            form.add_error("token", str(error))
        else:
            return redirect(_next_url(request))
    return TemplateResponse(request, "security/otp_verify.html",
                            {"form": form, "next": _next_url(request)})
