"""Every API error as {"detail": [{"field", "message"}]}, in Chinese."""

from __future__ import annotations

import re
from typing import Any

BODY_NOT_JSON = "请求体不是有效的 JSON，请检查格式（UTF-8 编码的 JSON 对象）。"
BODY_TOO_LARGE = "请求体过大，超过接口允许的大小；附件请分开上传，文字请精简后再提交。"
BAD_KEY = "API 密钥无效或已吊销。请在请求头 Authorization: Bearer <密钥> 中提供有效密钥。"
NOT_FOUND = "未找到该事项，或本密钥无权访问。"
FORBIDDEN = "无权执行此操作。"
UNUSABLE_TEXT = "含有无法保存的字符（NUL 控制字符或不成对的 UTF-16 代理字符），请删除后重试。"

# No database text column takes NUL (PostgreSQL refuses it outright) and a lone surrogate from
# a JSON "\ud800" escape cannot be encoded as UTF-8: both would fail at the database as a 500.
_UNUSABLE = re.compile("[\x00\ud800-\udfff]")


class UnusableText(ValueError):
    def __init__(self, field: str | None):
        super().__init__(field)
        self.field = field


def has_unusable_text(value: str) -> bool:
    return bool(_UNUSABLE.search(value))


def check_text(value: Any, field: str | None = None) -> None:
    """Raise UnusableText naming the top-level field of the first unusable string in a body."""
    if isinstance(value, str):
        if has_unusable_text(value):
            raise UnusableText(field)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, field)
            check_text(item, field or (key if isinstance(key, str) and not has_unusable_text(key)
                                       else None))
    elif isinstance(value, list):
        for item in value:
            check_text(item, field)


class RateLimited(Exception):
    def __init__(self, wait: int):
        super().__init__(wait)
        self.wait = wait

    @property
    def message(self) -> str:
        return f"请求过于频繁，请 {self.wait} 秒后再试。"


def error_body(message: str, field: str | None = None) -> dict[str, Any]:
    return {"detail": [{"field": field, "message": message}]}


def _field_of(loc: tuple | list) -> str | None:
    # ("body", "payload", "complainant_name") → complainant_name; the wrapper names say nothing.
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form")
             and not isinstance(p, int)]
    return ".".join(parts) or None


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "此项为必填项。"
    if kind == "string_too_short":
        return "不能为空。" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字符。"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符。"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "应为整数。"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}。"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}。"
    if kind in ("literal_error", "enum"):
        return f"取值无效，可选值：{ctx.get('expected', '')}。"
    if kind in ("string_type", "string_sub_type"):
        return "应为字符串。"
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return "请求体应为 JSON 对象。"
    if kind in ("bool_parsing", "bool_type"):
        return "应为 true 或 false。"
    if kind.startswith(("datetime", "date")):
        return "日期时间格式应为 ISO 8601，如 2026-03-01T09:30:00+08:00。"
    return "取值无效。"


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"field": _field_of(e.get("loc", ())), "message": _message(e)} for e in errors]
