"""django-axes in front of the ModelBackend, tolerant of callers that pass no request."""

from __future__ import annotations

import logging

from axes.backends import AxesStandaloneBackend

logger = logging.getLogger(__name__)


class LockoutBackend(AxesStandaloneBackend):
    """Every login over HTTP (Wagtail's LoginView, the API) passes a request and is counted.

    Stock axes raises when there is none; shells, management commands and the test client's
    ``login()`` have no client to lock out, so they fall through to the ModelBackend instead.
    Code serving HTTP must always pass ``request=`` to ``authenticate`` (docs/security.md).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            logger.debug("authenticate() without a request: lockout not applied")
            return None
        return super().authenticate(request, username, password, **kwargs)
