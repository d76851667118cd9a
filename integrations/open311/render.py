"""GeoReport v2 bodies in JSON or XML, and the spec's error list."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, time
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

XML_ITEM = {"services": "service", "service_requests": "request", "errors": "error",
            "service_definition": "attribute"}


class Open311Error(Exception):
    def __init__(self, code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def w3c(value: datetime | date | None) -> str | None:
    """ISO 8601 with the offset, as the spec requires; a due date means the end of that day."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time(23, 59, 59)))
    return timezone.localtime(value).isoformat(timespec="seconds")


# Characters XML 1.0 cannot carry at all, even escaped: left in, the document is not well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def to_xml(root: str, items: list[dict[str, Any]]) -> str:
    element = ET.Element(root)
    for item in items:
        child = ET.SubElement(element, XML_ITEM.get(root, "item"))
        for name, value in item.items():
            ET.SubElement(child, name).text = _text(value)
    body = ET.tostring(element, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, root: str, items: list[dict[str, Any]], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, items), status=status,
                            content_type="text/xml; charset=utf-8")
    return HttpResponse(json.dumps(items, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    response = respond(fmt, "errors", [{"code": error.code, "description": error.description}],
                       status=error.code)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response
