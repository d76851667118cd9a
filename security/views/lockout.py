"""The page django-axes shows when a username/address pair is locked."""

from __future__ import annotations

from django.conf import settings
from django.template.response import TemplateResponse


def lockout_response(request, original_response=None, credentials=None):
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    minutes = int(cooloff.total_seconds() // 60) if cooloff else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    response = TemplateResponse(request, "security/lockout.html", context,
                                status=settings.AXES_HTTP_RESPONSE_CODE)
    return response.render()
