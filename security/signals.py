"""Login, logout and lockout into the audit trail; the login time into the session."""

from __future__ import annotations

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from security.models import AuditAction
from security.services import audit_record

LOGIN_AT_KEY = "_security_login_at"
LAST_SEEN_KEY = "_security_last_seen"


@receiver(user_logged_in, dispatch_uid="security_user_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    now = int(time.time())
    if hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now
    audit_record(action=AuditAction.LOGIN, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="security_user_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # credentials arrive cleansed by Django (password → ********); keep only the username.
    username = str(credentials.get("username", ""))[:150]
    audit_record(action=AuditAction.LOGIN_FAILED, request=request, detail={
        "username": username, "locked": bool(getattr(request, "axes_locked_out", False))})


@receiver(user_locked_out, dispatch_uid="security_user_locked_out")
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(action=AuditAction.LOCKOUT, request=request, detail={"username": username or ""})


@receiver(user_logged_out, dispatch_uid="security_user_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "_security_logout_reason", "")
    action = AuditAction.SESSION_EXPIRED if reason else AuditAction.LOGOUT
    audit_record(action=action, user=user, request=request,
                 detail={"reason": reason} if reason else None)
