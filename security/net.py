"""The client's address as seen through the configured reverse proxies."""

from __future__ import annotations

import ipaddress

from forms.abuse import trusted_proxy_hops


def client_ip(request) -> str:
    """Exact address (not the /64 the rate limits use): the audit must name the machine.

    X-Forwarded-For is read only as far as TRUSTED_PROXY_HOPS allows; otherwise a client could
    write any address into its own audit rows and lockout counters.
    """
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    hops = trusted_proxy_hops()
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                     if p.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address[:64]
