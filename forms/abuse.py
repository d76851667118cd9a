"""Abuse guards for the public pages: client address, cache-based rate limits, one-time tokens.

Counters live in Django's cache. With several worker processes the cache must be shared
(CACHE_URL=redis://…), or each worker counts on its own and the limits multiply (docs/portal.md).
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

HONEYPOT_FIELD = "homepage_url"
TOKEN_FIELD = "submission_token"
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, self.seconds // 60)


# (count, seconds); override any of them with settings.INTAKE_RATE_LIMITS = {"scope": (n, s)}.
DEFAULT_LIMITS = {
    "submit": (20, 3600),          # form POSTs per address and hour (mobile networks share addresses)
    # Failed lookups per address in 15 minutes. Not per case number too: that would let anyone
    # lock the owner out of a case, and 8-character codes (2^40) already defeat guessing.
    "track": (10, 900),
}


def limit(scope: str) -> Limit:
    count, seconds = {**DEFAULT_LIMITS, **getattr(settings, "INTAKE_RATE_LIMITS", {})}[scope]
    return Limit(scope, count, seconds)


def trusted_proxy_hops() -> int:
    """How many reverse proxies (nginx…) put their address in X-Forwarded-For. 0 trusts none:
    a client could otherwise pick its own address and escape every limit."""
    value = getattr(settings, "INTAKE_TRUSTED_PROXY_HOPS", None)
    if value is None:
        value = os.environ.get("TRUSTED_PROXY_HOPS", "0")
    try:
        return max(0, int(value))
    except ValueError:
        return 0


def client_address(request) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    hops = trusted_proxy_hops()
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if p.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        # One subscriber usually holds a whole /64; counting single addresses would be no limit.
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(lim: Limit, subject: str) -> str:
    window = int(time.time() // lim.seconds)
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"onestop:rl:{lim.scope}:{digest}:{window}"


def limit_reached(lim: Limit, subject: str) -> bool:
    return (cache.get(_key(lim, subject)) or 0) >= lim.count


def limit_hit(lim: Limit, subject: str) -> int:
    """Count one event (fixed window) and return the count so far."""
    key = _key(lim, subject)
    if cache.add(key, 1, timeout=lim.seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=lim.seconds)
        return 1


def new_token() -> str:
    return secrets.token_urlsafe(24)


def valid_token(value: str) -> bool:
    return bool(value) and bool(_TOKEN_SHAPE.match(value))
