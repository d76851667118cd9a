"""Parse and validate a mechanism definition file (YAML), reporting the offending key and line.

The file format is documented in docs/mechanisms.md. Validation happens completely before
anything is written, so a broken file changes nothing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class MechanismFileError(ValueError):
    """A definition file that cannot be loaded; the message names the file, line and key."""


@dataclass
class Located:
    """A parsed value with the line it came from (1-based)."""

    value: Any
    line: int
    lines: dict[str, int] = field(default_factory=dict)  # key -> line, for mappings


def _to_located(node: yaml.Node, path: str, source: str) -> Located:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Located] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            key_line = key_node.start_mark.line + 1
            if key in result:
                raise MechanismFileError(f"{source} 第{key_line}行：键“{path}{key}”重复出现。")
            result[key] = _to_located(value_node, f"{path}{key}.", source)
            lines[key] = key_line
        return Located(result, line, lines)
    if isinstance(node, yaml.SequenceNode):
        return Located(
            [_to_located(item, f"{path}[{i}].", source) for i, item in enumerate(node.value)], line
        )
    # Scalars go through PyYAML's own constructor so dates, ints and booleans keep their types.
    value = yaml.SafeLoader("").construct_object(node, deep=True)
    return Located(value, line)


# Field specs: name -> (kind, required, extra). kind in str/text/int/bool/date/slug/list/map/choice.
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

MECHANISM_FIELDS = {
    "slug": ("slug", True, None),
    "name": ("str", True, None),
    "region": ("str", True, None),
    "case_prefix": ("prefix", True, None),
    "coordinating_body": ("str", True, None),
    "office_name": ("str", True, None),
    "office_location": ("str", False, None),
    "forum_name": ("str", True, None),
    "forum_body": ("str", False, None),
    "forum_outcome": ("str", False, None),
    "escalation_body": ("str", False, None),
    "document_issuer": ("str", True, None),
    "basis": ("str", False, None),
    "basis_date": ("date", False, None),
    "description": ("text", False, None),
    "principles": ("text", False, None),
    "leaders": ("list", False, "leader"),
    "units": ("list", True, "unit"),
    "categories": ("list", True, "category"),
    "channels": ("list", True, "channel"),
    "tiers": ("list", True, "tier"),
    "numbering": ("list", False, "numbering"),
    "warning_rules": ("list", False, "warning_rule"),
}

# Early-warning rules (analytics app): kind -> label and params (default, minimum, type).
# The loader and the admin form both validate through clean_warning_params().
WARNING_RULE_KINDS: dict[str, dict[str, Any]] = {
    "employer_repeat": {"label": "同一用人单位短期内多次被投诉",
                        "params": {"min_cases": (3, 2, int), "days": (30, 1, int)}},
    "group_size": {"label": "群体性争议（涉及人数多）",
                   "params": {"min_people": (10, 2, int)}},
    "category_spike": {"label": "某类争议数量激增",
                       "params": {"factor": (2.0, 1.0, float), "weeks": (8, 1, int),
                                  "min_count": (5, 1, int)}},
}


class WarningParamError(ValueError):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


def clean_warning_params(kind: str, params: dict | None) -> dict[str, int | float]:
    """Known keys only, numbers at or above their minimum; missing keys take the defaults."""
    if kind not in WARNING_RULE_KINDS:
        raise WarningParamError("kind", f"未知的预警规则类型“{kind}”。")
    spec = WARNING_RULE_KINDS[kind]["params"]
    params = params or {}
    if not isinstance(params, dict):
        raise WarningParamError("params", "参数应为键值对，如 {min_cases: 3, days: 30}。")
    for key in params:
        if key not in spec:
            raise WarningParamError(key, f"未知的参数。{kind} 可用的参数：{'、'.join(spec)}。")
    cleaned: dict[str, int | float] = {}
    for key, (default, minimum, kind_of) in spec.items():
        value = params.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                kind_of is int and not float(value).is_integer()):
            raise WarningParamError(key, "应为整数。" if kind_of is int else "应为数字。")
        if value < minimum:
            raise WarningParamError(key, f"不能小于 {minimum:g}。")
        cleaned[key] = kind_of(value)
    return cleaned


class _Params(dict):
    """A params mapping that remembers each key's line, for error messages."""

    lines: dict[str, int]


ITEM_FIELDS = {
    "leader": {
        "role": ("str", True, None),
        "name": ("str", False, None),
        "title": ("str", True, None),
    },
    "unit": {
        "code": ("slug", True, None),
        "name": ("str", True, None),
        "short_name": ("str", True, None),
        "kind": ("choice", False, ("member", "office", "township")),
        "duties": ("text", False, None),
        "dispute_focus": ("text", False, None),
        "liaison_name": ("str", False, None),
        "liaison_phone": ("str", False, None),
        "handles_cases": ("bool", False, None),
        "is_office": ("bool", False, None),
    },
    "category": {
        "code": ("slug", True, None),
        "name": ("str", True, None),
        "description": ("text", False, None),
        "lead_unit": ("unit_ref", False, None),
    },
    "channel": {
        "code": ("slug", True, None),
        "name": ("str", True, None),
        "kind": ("choice", True, ("online", "offline")),
        "contact": ("str", False, None),
        "description": ("text", False, None),
        "has_ticket_number": ("bool", False, None),
        "public": ("bool", False, None),
        "online_form": ("bool", False, None),
    },
    "tier": {
        "code": ("slug", True, None),
        "name": ("str", True, None),
        "description": ("text", False, None),
        "route": ("choice", True, ("on_the_spot", "lead_unit", "joint", "deliberation")),
        "may_escalate": ("bool", False, None),
        "feedback_methods": ("str", False, None),
        "deadlines": ("list", False, "deadline"),
    },
    "deadline": {
        "stage": ("choice", True, ("transfer", "settle", "deliberate", "feedback")),
        "workdays": ("int", True, None),
        "starts_from": ("choice", True, ("accepted", "transferred", "received", "escalated", "settled")),
        "warn_before": ("int", False, None),
        "note": ("str", False, None),
    },
    "numbering": {
        "kind": ("choice", True, (
            "acknowledgement", "transfer_notice", "minutes",
            "handling_opinion", "feedback_letter", "supervision_notice",
        )),
        "pattern": ("pattern", True, None),
        "issuer": ("str", False, None),
    },
    "warning_rule": {
        "code": ("slug", True, None),
        "kind": ("choice", True, tuple(WARNING_RULE_KINDS)),
        "name": ("str", False, None),
        "params": ("params", False, None),
        "notify_police": ("bool", False, None),
        "active": ("bool", False, None),
    },
}
UNIQUE_KEYS = {"unit": "code", "category": "code", "channel": "code", "tier": "code",
               "deadline": "stage", "numbering": "kind", "warning_rule": "code"}


class _Validator:
    def __init__(self, source: str):
        self.source = source

    def fail(self, line: int, key: str, message: str):
        raise MechanismFileError(f"{self.source} 第{line}行，“{key}”：{message}")

    def mapping(self, located: Located, spec: dict, keypath: str) -> dict[str, Any]:
        if not isinstance(located.value, dict):
            self.fail(located.line, keypath or "（文件）", "应为键值对（映射）。")
        data = located.value
        for key in data:
            if key not in spec:
                known = "、".join(spec)
                self.fail(located.lines[key], f"{keypath}{key}", f"未知的键。可用的键：{known}。")
        result: dict[str, Any] = {"_line": located.line, "_lines": located.lines}
        for name, (kind, required, extra) in spec.items():
            full = f"{keypath}{name}"
            if name not in data or data[name].value in (None, ""):
                if required:
                    self.fail(located.line, full, "必填项缺失。")
                continue
            result[name] = self.value(data[name], kind, extra, full)
        return result

    def value(self, item: Located, kind: str, extra, key: str):
        value, line = item.value, item.line
        if kind in ("str", "text", "slug", "prefix", "pattern", "unit_ref"):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                self.fail(line, key, "应为文本。")
            value = value.strip() if kind != "text" else value.strip("\n")
            if kind == "str" and "\n" in value:
                self.fail(line, key, "应为单行文本。")
            if kind in ("slug", "unit_ref") and not SLUG_RE.match(value):
                self.fail(line, key, f"“{value}”不是有效代码（小写字母、数字、-、_）。")
            if kind == "prefix" and not re.fullmatch(r"[A-Z]{1,10}", value):
                self.fail(line, key, "案件编号前缀应为 1–10 个大写英文字母，如 GP。")
            if kind == "pattern":
                self._check_pattern(value, line, key)
            return value
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.fail(line, key, "应为非负整数（工作日数）。")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                self.fail(line, key, "应为 true 或 false。")
            return value
        if kind == "date":
            if isinstance(value, datetime.datetime):
                value = value.date()
            if not isinstance(value, datetime.date):
                self.fail(line, key, "应为日期，格式 YYYY-MM-DD。")
            return value
        if kind == "choice":
            if value not in extra:
                self.fail(line, key, f"“{value}”不是允许的值；可选：{'、'.join(extra)}。")
            return value
        if kind == "params":
            if not isinstance(value, dict):
                self.fail(line, key, "应为键值对，如 {min_cases: 3, days: 30}。")
            params = _Params({name: entry.value for name, entry in value.items()})
            params.lines = dict(item.lines)
            return params
        if kind == "list":
            if not isinstance(value, list):
                self.fail(line, key, "应为列表。")
            items = [self.mapping(entry, ITEM_FIELDS[extra], f"{key}[{i}].")
                     for i, entry in enumerate(value)]
            unique = UNIQUE_KEYS.get(extra)
            if unique:
                seen: dict[str, int] = {}
                for i, entry in enumerate(items):
                    if entry[unique] in seen:
                        self.fail(entry["_lines"][unique], f"{key}[{i}].{unique}",
                                  f"“{entry[unique]}”与第{seen[entry[unique]]}行重复。")
                    seen[entry[unique]] = entry["_line"]
            return items
        raise AssertionError(kind)

    def _check_pattern(self, value: str, line: int, key: str):
        if "{seq}" not in value or "{year}" not in value:
            self.fail(line, key, "文号格式须包含 {year} 和 {seq}。")
        try:
            sample = value.format(year=2026, seq=1)
        except (KeyError, IndexError, ValueError):
            self.fail(line, key, "文号格式只能使用 {year} 和 {seq} 两个占位符。")
        if "〔2026〕" not in sample:
            self.fail(line, key, "年份须用六角括号括起，如：高征争转〔{year}〕{seq}号。")


def parse_mechanism_text(text: str, *, source: str = "定义文件") -> dict[str, Any]:
    """Return the validated definition as plain dicts and lists, or raise MechanismFileError."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        raise MechanismFileError(f"{source} 第{line}行：YAML 语法错误：{exc.problem}。") from exc
    if node is None:
        raise MechanismFileError(f"{source}：文件为空。")
    validator = _Validator(source)
    data = validator.mapping(_to_located(node, "", source), MECHANISM_FIELDS, "")
    _check_references(data, validator)
    return data


def _check_references(data: dict, validator: _Validator) -> None:
    unit_codes = {unit["code"] for unit in data["units"]}
    offices = [unit for unit in data["units"] if unit.get("is_office")]
    if len(offices) != 1:
        line = offices[1]["_lines"]["is_office"] if len(offices) > 1 else data["_line"]
        validator.fail(line, "units", "须有且只有一个单位标记 is_office: true（机制办公室）。")
    for i, category in enumerate(data["categories"]):
        ref = category.get("lead_unit")
        if ref and ref not in unit_codes:
            validator.fail(category["_lines"]["lead_unit"], f"categories[{i}].lead_unit",
                           f"单位“{ref}”未在 units 中定义。")
    for i, tier in enumerate(data["tiers"]):
        if tier["route"] == "deliberation" and not any(
            d["stage"] == "deliberate" for d in tier.get("deadlines", [])
        ):
            validator.fail(tier["_line"], f"tiers[{i}].deadlines",
                           "会商分级须配置 deliberate（集体商议）环节时限。")
        for j, deadline in enumerate(tier.get("deadlines", [])):
            if deadline["workdays"] < 1:
                validator.fail(deadline["_lines"]["workdays"], f"tiers[{i}].deadlines[{j}].workdays",
                               "时限至少为 1 个工作日。")
    if not any(channel.get("online_form") for channel in data["channels"]):
        validator.fail(data["_line"], "channels", "须有一个渠道标记 online_form: true（网上受理）。")
    for i, rule in enumerate(data.get("warning_rules", [])):
        params = rule.get("params", _Params())
        try:
            rule["params"] = clean_warning_params(rule["kind"], params)
        except WarningParamError as exc:
            lines = getattr(params, "lines", {})
            line = lines.get(exc.key, rule["_lines"].get("params", rule["_line"]))
            validator.fail(line, f"warning_rules[{i}].params.{exc.key}", exc.message)


def read_mechanism_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise MechanismFileError(f"找不到定义文件：{path}") from exc
    except UnicodeDecodeError as exc:
        raise MechanismFileError(f"{path.name}：文件须为 UTF-8 编码。") from exc
    return parse_mechanism_text(text, source=path.name)
