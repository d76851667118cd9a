"""A fixed-window counter in the cache, per API key (or per address for anonymous reads).

With several processes the cache must be shared (CACHE_URL=redis://…), as for every counter."""

from __future__ import annotations

import time

from django.core.cache import cache

WINDOW = 60  # seconds


def rate_limit_hit(*, bucket: str, limit: int, now: float | None = None) -> int | None:
    """Count one request. Returns None when allowed, else the seconds until the window resets."""
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    key = f"onestop:rate:{bucket}:{window}"
    # add() then incr(): atomic on Redis and memcached; locmem is per process anyway.
    if cache.add(key, 1, timeout=WINDOW + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW + 5)
            count = 1
    if count > limit:
        return max(1, int((window + 1) * WINDOW - now))
    return None


def client_address(request) -> str:
    """Behind nginx REMOTE_ADDR is the proxy: use the project's TRUSTED_PROXY_HOPS reading."""
    try:
        from security.net import client_ip
    except ImportError:
        return request.META.get("REMOTE_ADDR", "") or "unknown"
    return client_ip(request) or "unknown"
