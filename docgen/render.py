"""Render .docx templates with docxtpl, and check templates that clerks upload.

Pure functions: no Django, no database. The caller builds the context following
``docgen.variables.VARIABLES``.

Templates come from clerks, so Jinja runs sandboxed (a template cannot reach
Python internals) and with autoescape (``&``, ``<`` in user text stay text).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from os import PathLike
from pathlib import Path
from typing import IO, Any

import jinja2
from docx import Document
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from docgen.variables import KIND_LABELS, VARIABLES, sample_context, top_level_fields

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

TemplateSource = Path | str | bytes | IO[bytes]

_CHINA = timezone(timedelta(hours=8))  # documents are dated in Beijing time
_DIGITS = "零一二三四五六七八九"


# --- filters ----------------------------------------------------------------------------


def cn_date(value: Any) -> str:
    """date / datetime / "2026-03-05" → "2026年3月5日" (Arabic numerals, no zero padding).

    Aware datetimes are converted to Beijing time first; other strings pass through,
    so a value that is already "2026年3月5日" is left alone.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = (value.astimezone(_CHINA) if value.tzinfo else value).date()
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", str(value))
    if match:
        year, month, day = (int(g) for g in match.groups())
        return f"{year}年{month}月{day}日"
    return str(value)


def _below_10000(n: int) -> str:
    out, zero = "", False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit_value % 10
        if digit:
            out += ("零" if zero else "") + _DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def cn_number(value: Any) -> str:
    """3 → "三", 12 → "十二", 105 → "一百零五": for headings such as "一、"."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return str(value)
    if n < 0:
        return "负" + cn_number(-n)
    if n == 0 or n >= 10**8:
        return "零" if n == 0 else str(n)
    high, low = divmod(n, 10000)
    text = _below_10000(low) if not high else (
        _below_10000(high) + "万" + ("零" if 0 < low < 1000 else "") + _below_10000(low)
    )
    return text[1:] if 10 <= n < 20 else text  # 十二, not 一十二


class _Env(ImmutableSandboxedEnvironment):
    """Dict keys win over dict methods, so ``meeting.items`` is the list, not ``dict.items``."""

    compiled: dict | None = None  # set on the shared render env only

    def getattr(self, obj, attribute):
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def from_string(self, source, globals=None, template_class=None):
        # docxtpl compiles every part on every render; a third of the time. Same text, same code.
        if self.compiled is None or globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self.compiled.get(source)
        if template is None:
            if len(self.compiled) >= _COMPILED_MAX:
                self.compiled.clear()
            template = self.compiled[source] = super().from_string(source)
        return template


_COMPILED_MAX = 256  # parts of ~40 templates (6 kinds × builtin/custom, headers, footers)
_render_env: _Env | None = None


def make_jinja_env(*, strict: bool = False) -> jinja2.Environment:
    """The sandboxed, autoescaping environment with the project filters.

    ``strict`` makes a missing variable an error (used by ``check_template``);
    documents render with the lenient default so a gap prints as blank.
    """
    env = _Env(
        autoescape=True,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        finalize=lambda value: "" if value is None else value,  # never print "None"
    )
    env.filters["cn_date"] = cn_date
    env.filters["cn_number"] = cn_number
    return env


# --- rendering --------------------------------------------------------------------------


def builtin_template_path(kind: str) -> Path:
    if kind not in VARIABLES:
        raise KeyError(f"未知的文书种类：{kind}")
    return TEMPLATE_DIR / f"{kind}.docx"


def _source(template: TemplateSource):
    """Something DocxTemplate can open more than once."""
    if isinstance(template, (str, PathLike)):
        return str(template)
    return BytesIO(_read(template))


def _read(template: TemplateSource) -> bytes:
    if isinstance(template, (bytes, bytearray)):
        return bytes(template)
    if hasattr(template, "getvalue"):
        return template.getvalue()
    if hasattr(template, "seek"):  # e.g. an uploaded file that was read before
        template.seek(0)
    return template.read()


# XML 1.0 forbids most control characters; one in a complaint would break the file.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(value: Any) -> Any:
    """Strip illegal characters; a line break becomes docxtpl's "\\a" (new paragraph)."""
    if type(value) is str:
        text = _ILLEGAL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
        return text.replace("\n", "\a")
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(item) for item in value]
    return value


def _render(source, context: dict, env: jinja2.Environment) -> bytes:
    tpl = DocxTemplate(source)
    tpl.render(_clean(context), jinja_env=env, autoescape=True)
    out = BytesIO()
    tpl.save(out)
    return out.getvalue()


def render_docx(*, template: TemplateSource, context: dict) -> bytes:
    """Render ``template`` (path, bytes or stream) with ``context``; return .docx bytes."""
    global _render_env
    if _render_env is None:
        env = make_jinja_env()
        env.compiled = {}
        _render_env = env
    return _render(_source(template), context, _render_env)


# --- checking ---------------------------------------------------------------------------


def template_variables(template: TemplateSource) -> set[str]:
    """Top-level names the template reads from the context (loop variables excluded)."""
    tpl = DocxTemplate(_source(template))
    return tpl.get_undeclared_template_variables(jinja_env=make_jinja_env())


def _template_ast(template: TemplateSource, env: jinja2.Environment) -> nodes.Template:
    # the same text docxtpl renders: body, then every header and footer
    tpl = DocxTemplate(_source(template))
    doc = tpl.get_docx()
    xml = tpl.patch_xml(tpl.xml_to_string(doc.element.body))
    for rel in doc.part.rels.values():
        if rel.reltype in (tpl.HEADER_URI, tpl.FOOTER_URI):
            xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return env.parse(xml)


def _unknown_fields(ast: nodes.Template, fields: dict[str, set[str]]) -> list[tuple[str, str]]:
    """``case.numbr``-style typos: a field the contract does not list for a dict variable."""
    assigned = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    found = []
    for node in ast.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if not isinstance(target, nodes.Name) or target.name in assigned:
            continue
        known = fields.get(target.name)
        if isinstance(node, nodes.Getattr):
            attr = node.attr
        elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            attr = node.arg.value
        else:
            continue
        if known and attr not in known and (target.name, attr) not in found:
            found.append((target.name, attr))
    return found


def check_template(*, template: TemplateSource, kind: str) -> list[str]:
    """Chinese error messages for a template meant for ``kind``; empty when usable."""
    if kind not in VARIABLES:
        raise KeyError(f"未知的文书种类：{kind}")
    label = KIND_LABELS[kind]
    env = make_jinja_env()
    if not isinstance(template, (str, PathLike)):
        template = _read(template)  # read a stream once: it is opened three times below
    try:
        names = template_variables(template)
        ast = _template_ast(template, env)
    except TemplateSyntaxError as exc:
        return [
            f"模板标签有语法错误（{exc.message}）。请检查 {{{{ }}}} 和 {{% %}} 是否成对、拼写是否"
            "正确，段落和表格行的标签是否写成 {%p … %}、{%tr … %}。"
        ]
    except Exception:  # not a zip, not a Word document, broken XML …
        return ["无法读取模板文件：请上传用 Word 或 WPS 保存的 .docx 文件。"]

    fields = top_level_fields(kind)
    errors = [
        f"模板使用了{label}不提供的变量“{name}”。"
        for name in sorted(names - set(fields) - set(env.globals))
    ]
    errors += [
        f"变量“{name}”没有字段“{attr}”。" for name, attr in _unknown_fields(ast, fields)
    ]
    if errors:
        errors.append(f"{label}可用的变量：{'、'.join(sorted(fields))}。")
        return errors

    try:
        output = _render(_source(template), sample_context(kind), make_jinja_env(strict=True))
        Document(BytesIO(output))
    except SecurityError:
        return ["模板使用了不允许的写法：出于安全原因，模板不能访问程序内部属性。"]
    except UndefinedError as exc:
        return [f"用示例数据试渲染失败：模板引用了不存在的内容（{exc.message}）。"]
    except Exception as exc:  # any failure here means the document cannot be produced
        return [f"用示例数据试渲染失败：{type(exc).__name__}: {exc}"]
    return []
