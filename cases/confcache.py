"""Per-process cache of what every public request re-reads but almost never changes: page routes,
a mechanism's office, default tier, deadlines, online channel, warning rules, message templates.

Coherence across processes (gunicorn workers keep their own copy) comes from one database row,
ConfigStamp: saving or deleting any configuration model or page gives it a new random token, in
the same transaction as the change. Cached values are used only under the token they were built
with; a request reads the token once (one primary-key lookup; on PostgreSQL the connection's
health check does it, config/postgresql) and sees either the old world or the new, never a mix.
A random token, not a counter: a rolled-back change restores the old token, and a later change
can never reuse the rolled-back one. Writes that send no signals (QuerySet
.update(), raw SQL) must call ``config_changed()`` themselves.
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
MAX_ENTRIES = 2000  # routes are keyed by path; a crawler must not grow the cache without bound
_UNREAD = object()
_local = threading.local()  # the token this request read (requests run one per thread)
_lock = threading.Lock()
_cache: dict[Any, Any] = {}
_cache_token: str | None = None


TOKEN_SQL = "SELECT token FROM cases_configstamp WHERE id = 1"


def _read_token() -> str | None:
    with connection.cursor() as cursor:
        # The first cursor of a request runs the connection's health check, which on PostgreSQL
        # reads the token for us (config/postgresql).
        token = getattr(_local, "token", _UNREAD)
        if token is not _UNREAD:
            return token
        cursor.execute(TOKEN_SQL)
        row = cursor.fetchone()
    return row[0] if row else None  # no row (a flushed test database): nothing is cached


def token_read_by_health_check(token: str | None) -> None:
    """Keep the token a request's health check read as the request's own (outside a request,
    e.g. at its end, it is dropped)."""
    if getattr(_local, "in_request", False) and getattr(_local, "token", _UNREAD) is _UNREAD:
        _local.token = token


def current_token() -> str | None:
    token = getattr(_local, "token", _UNREAD)
    if token is _UNREAD:
        token = _read_token()
        if getattr(_local, "in_request", False):
            _local.token = token
    return token


def cached(key: Any, loader: Callable[[], T]) -> T:
    """The value under `key` built by `loader` under the current token (built now if missing)."""
    global _cache_token
    token = current_token()
    if token is None:
        return loader()
    with _lock:
        if _cache_token != token:
            _cache.clear()
            _cache_token = token
        if key in _cache:
            return _cache[key]
    value = loader()
    with _lock:
        if _cache_token == token:
            if len(_cache) >= MAX_ENTRIES:
                _cache.clear()
            _cache[key] = value
    return value


def config_changed() -> None:
    """Give the stamp a new token (inside the caller's transaction, if any)."""
    token = secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_configstamp SET token = %s WHERE id = 1", [token])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO cases_configstamp (id, token) VALUES (1, %s)", [token])
    _local.token = _UNREAD  # this request must see its own change


def _is_config(sender) -> bool:
    from wagtail.models import Page

    return sender in _config_models() or issubclass(sender, Page)


@functools.cache  # every save of every model asks; the set is fixed once the apps are loaded
def _config_models() -> frozenset:
    from django.apps import apps

    return frozenset(apps.get_model(label) for label in CONFIG_MODELS)


CONFIG_MODELS = (
    "cases.Mechanism", "cases.MechanismLeader", "cases.Unit", "cases.DisputeCategory",
    "cases.Channel", "cases.Tier", "cases.TierDeadline", "cases.DocumentNumbering",
    "analytics.WarningRule", "notifications.MessageTemplate", "intake.IntakeFormField",
    "wagtailcore.Site", "wagtailcore.PageViewRestriction", "wagtailcore.Locale",
)


def _on_change(sender, raw: bool = False, **kwargs) -> None:
    if not raw and _is_config(sender):  # raw: loaddata, whose rows arrive before the stamp's
        config_changed()


def _request_started(**kwargs) -> None:
    _local.token, _local.in_request = _UNREAD, True


def _request_finished(**kwargs) -> None:
    _local.token, _local.in_request = _UNREAD, False


def connect() -> None:
    post_save.connect(_on_change, dispatch_uid="onestop-confcache-save")
    post_delete.connect(_on_change, dispatch_uid="onestop-confcache-delete")
    request_started.connect(_request_started, dispatch_uid="onestop-confcache-request")
    request_finished.connect(_request_finished, dispatch_uid="onestop-confcache-finished")
    from wagtail.signals import post_page_move

    post_page_move.connect(lambda **kwargs: config_changed(), weak=False,
                           dispatch_uid="onestop-confcache-move")
