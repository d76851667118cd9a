"""API keys: issue, check, revoke. Keys look like `os_<prefix>_<secret>`; only sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from cases.errors import CaseError
from cases.models import Channel, Mechanism
from integrations.models import ApiKey

KEY_PREFIX = "os"
TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is a hint, not a log: write it at most this often


def _digest(raw: str) -> str:
    # The secret has 256 bits of entropy: a plain hash is enough, no slow KDF needed.
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, mechanism: Mechanism, channel: Channel | None = None,
                   rate_per_minute: int = 120, created_by=None) -> tuple[ApiKey, str]:
    """A new key; the raw key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise CaseError("请填写调用方名称。", field="name")
    if ApiKey.objects.filter(name=name).exists():
        raise CaseError(f"名称“{name}”已被使用。", field="name")
    if channel is not None and channel.mechanism_id != mechanism.pk:
        raise CaseError("渠道不属于该机制。", field="channel")
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, mechanism=mechanism, channel=channel, prefix=prefix,
                                key_hash=_digest(raw), rate_per_minute=rate_per_minute,
                                created_by=created_by)
    return key, raw


def api_key_authenticate(raw: str | None) -> ApiKey | None:
    """The active key for this raw value, or None. Constant-time on the hash."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = (ApiKey.objects.select_related("mechanism", "channel")
           .filter(prefix=parts[1], revoked_at=None).first())
    if key is None or not constant_time_compare(key.key_hash, _digest(raw.strip())):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by=None) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key
