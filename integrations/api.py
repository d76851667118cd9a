"""The channel API (/api/v1/): django-ninja, one key per outside system, Chinese JSON errors."""

from __future__ import annotations

import json
import math

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import APIKeyHeader, HttpBearer

from cases.errors import CaseError
from integrations.endpoints import router
from integrations.errors import (
    BAD_KEY,
    BODY_NOT_JSON,
    BODY_TOO_LARGE,
    NOT_FOUND,
    UNUSABLE_TEXT,
    RateLimited,
    UnusableText,
    check_text,
    error_body,
    validation_details,
)
from integrations.keys import api_key_authenticate
from integrations.ratelimit import rate_limit_hit


def _check_rate(key):
    wait = rate_limit_hit(bucket=f"key:{key.pk}", limit=key.rate_per_minute)
    if wait is not None:
        raise RateLimited(wait)
    return key


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        key = api_key_authenticate(token)
        return _check_rate(key) if key else None


class HeaderKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None):
        found = api_key_authenticate(key)
        return _check_rate(found) if found else None


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class ObjectParser(Parser):
    """A body must be a JSON object: a list or a number is as unusable as broken JSON."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        check_text(data)
        return data


api = NinjaAPI(
    title="OneStop 渠道接口",
    version="1",
    description="热线、平台等渠道系统向征缴争议联合处置机制登记事项、查询进度、转达回访意见。"
                "每个渠道系统一把密钥（`python manage.py create_api_key`），"
                "放在请求头 `Authorization: Bearer <密钥>` 或 `X-API-Key` 中。",
    urls_namespace="channel_api",
    docs_url=None,  # Swagger UI loads scripts from a CDN: blocked by CSP and closed networks
    auth=[BearerKey(), HeaderKey()],
    renderer=ChineseJSONRenderer(),
    parser=ObjectParser(),
)
api.add_router("/", router)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_details(exc.errors)}, status=400)


@api.exception_handler(CaseError)
def on_case_error(request, exc: CaseError):
    return api.create_response(request, error_body(exc.message, exc.field), status=400)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    response = api.create_response(request, error_body(BAD_KEY), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="onestop"'
    return response


@api.exception_handler(RateLimited)
def on_rate_limited(request, exc: RateLimited):
    response = api.create_response(request, error_body(exc.message), status=429)
    response["Retry-After"] = str(math.ceil(exc.wait))
    return response


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body(NOT_FOUND), status=404)


@api.exception_handler(RequestDataTooBig)
def on_body_too_large(request, exc):
    # Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django's own answer would be an HTML 400 page.
    return api.create_response(request, error_body(BODY_TOO_LARGE, "body"), status=413)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja's own errors are English; the one a client meets is an unparsable body.
    if isinstance(exc.__cause__, UnusableText):
        return api.create_response(request, error_body(UNUSABLE_TEXT, exc.__cause__.field),
                                   status=400)
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return api.create_response(request, error_body(BODY_NOT_JSON, "body"), status=400)
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)

