"""Request-level guards: the CSP per area, no-store on personal data, session lifetimes and the
second factor. Order in settings.MIDDLEWARE matters; see docs/security.md."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django_otp import user_has_device

from security.signals import LAST_SEEN_KEY, LOGIN_AT_KEY

ADMIN_PREFIX = "/admin/"
DEFAULT_NO_STORE_PREFIXES = ("/admin/", "/track/", "/submit/", "/files/", "/documents/")
DEFAULT_OTP_PREFIXES = ("/admin/", "/files/", "/documents/")
# Wagtail's editor pings while a form is open; that is not the user being active.
DEFAULT_PASSIVE_PREFIXES = ("/admin/editing-sessions/",)
TOUCH_EVERY_SECONDS = 60  # write last-seen at most once a minute: a session save per request is waste

EXPIRED_MESSAGES = {
    "idle": "您已超过30分钟未操作，为保护个人信息已自动退出，请重新登录。",
    "absolute": "本次登录已超过最长有效时间，请重新登录。",
}


def _setting(name: str, default):
    return getattr(settings, name, default)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with settings.CONTENT_SECURITY_POLICY (strict) for the public site.

    Under /admin/, ONESTOP_CSP_ADMIN_REPLACE replaces some directives: Wagtail's editors, filters
    and choosers run inline scripts. The pages that render what the public typed (dashboard,
    ledger, case page, documents) match ONESTOP_CSP_STRICT_ADMIN_PATTERNS and get
    ONESTOP_CSP_STRICT_ADMIN_REPLACE instead, which keeps scripts to 'self' against stored XSS.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        patterns = _setting("ONESTOP_CSP_STRICT_ADMIN_PATTERNS", ())
        self.strict = [re.compile(p) for p in patterns]

    def process_response(self, request, response):
        # A PDF shown inline (docgen preview) is no HTML; browsers' PDF viewers have been
        # broken by object-src 'none' on the PDF's own response.
        if response.get("Content-Type", "").startswith("application/pdf"):
            response._csp_exempt = True
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        path = request.path_info
        if report_only or parts.replace is not None or not path.startswith(ADMIN_PREFIX):
            return parts
        if any(p.match(path) for p in self.strict):
            parts.replace = _setting("ONESTOP_CSP_STRICT_ADMIN_REPLACE", None)
        else:
            parts.replace = _setting("ONESTOP_CSP_ADMIN_REPLACE", None)
        return parts


class NoStoreMiddleware:
    """Cache-Control: no-store on every page that may show personal data: browsers and proxies
    must not keep copies (个人信息保护法 第五十一条)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(_setting("ONESTOP_NO_STORE_PREFIXES", DEFAULT_NO_STORE_PREFIXES))

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefixes):
            patch_cache_control(response, private=True, no_store=True, max_age=0)
        return response


class SessionTimeoutMiddleware:
    """Logs a signed-in user out after 30 idle minutes or 12 hours since login (等保: 登录超时).

    Needs AuthenticationMiddleware and MessageMiddleware before it. The request then goes on as
    anonymous, so the admin sends the user to its login page as for any other visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.passive = tuple(_setting("ONESTOP_SESSION_PASSIVE_PREFIXES", DEFAULT_PASSIVE_PREFIXES))

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self.expired(request)
            if reason:
                request._security_logout_reason = reason
                logout(request)
                messages.warning(request, EXPIRED_MESSAGES[reason])
        return self.get_response(request)

    def expired(self, request) -> str:
        session = request.session
        now = int(time.time())
        idle = int(_setting("ONESTOP_SESSION_IDLE_SECONDS", 30 * 60))
        absolute = int(_setting("ONESTOP_SESSION_MAX_SECONDS", 12 * 3600))
        login_at = session.get(LOGIN_AT_KEY)
        last_seen = session.get(LAST_SEEN_KEY)
        if login_at is None:  # a session from before this middleware: start counting now
            session[LOGIN_AT_KEY] = login_at = now
        if last_seen is not None and now - last_seen > idle:
            return "idle"
        if now - login_at > absolute:
            return "absolute"
        if not request.path_info.startswith(self.passive) and (
                last_seen is None or now - last_seen >= TOUCH_EVERY_SECONDS):
            session[LAST_SEEN_KEY] = now
        return ""


def is_staff_user(user) -> bool:
    return bool(user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin"))


class OTPRequiredMiddleware:
    """After the password, the TOTP code: a user with a confirmed device whose session is not
    OTP-verified is sent to the verify page before any admin page or staff download. With
    ONESTOP_REQUIRE_2FA_FOR_STAFF, staff without a device are sent to enrol first.

    Needs django_otp.middleware.OTPMiddleware before it (it sets user.is_verified)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(_setting("ONESTOP_OTP_PROTECTED_PREFIXES", DEFAULT_OTP_PREFIXES))
        self._urls: dict[str, str] | None = None

    def urls(self) -> dict[str, str]:
        if self._urls is None:  # lazily: the URLconf is not loaded when middleware is built
            self._urls = {
                "verify": reverse("security_admin:otp_verify"),
                "enrol": reverse("security_admin:otp_enrol"),
                "logout": reverse("wagtailadmin_logout"),
                "login": reverse("wagtailadmin_login"),
                "jsi18n": reverse("wagtailadmin_javascript_catalog"),
                "sprite": reverse("wagtailadmin_sprite"),
            }
        return self._urls

    def __call__(self, request):
        target = self.required_step(request)
        if target:
            return redirect(target)
        return self.get_response(request)

    def required_step(self, request) -> str:
        path = request.path_info
        if not path.startswith(self.prefixes):
            return ""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        verified = getattr(user, "is_verified", None)
        if verified is not None and verified():
            return ""
        urls = self.urls()
        if path in (urls["logout"], urls["login"], urls["jsi18n"], urls["sprite"]):
            return ""  # what the verify page itself needs
        if user_has_device(user, confirmed=True):
            if path == urls["verify"]:
                return ""
            return f"{urls['verify']}?{urlencode({'next': request.get_full_path()})}"
        if _setting("ONESTOP_REQUIRE_2FA_FOR_STAFF", False) and is_staff_user(user):
            return "" if path == urls["enrol"] else urls["enrol"]
        return ""
