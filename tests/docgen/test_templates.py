"""The built-in templates, rendered with the sample contexts and read back with python-docx."""

from __future__ import annotations

import copy
import re
import time
import zipfile
from functools import cache
from io import BytesIO

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from jinja2 import nodes

from docgen.build_templates import build_all
from docgen.render import (
    _template_ast,
    builtin_template_path,
    make_jinja_env,
    render_docx,
    template_variables,
)
from docgen.variables import KIND_LABELS, VARIABLES, sample_context, top_level_fields

KINDS = list(KIND_LABELS)
DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
HOSTILE = "<b>&amp; {{ evil }} {% if %}</b><script>alert('x')</script>"


@cache
def _rendered(kind: str) -> bytes:
    return render_docx(template=builtin_template_path(kind), context=sample_context(kind))


def rendered(kind: str, context: dict | None = None):
    data = _rendered(kind) if context is None else render_docx(
        template=builtin_template_path(kind), context=context)
    return Document(BytesIO(data))


def paragraphs(container):
    """Every paragraph, tables included (python-docx's .paragraphs skips tables)."""
    for block in container.iter_inner_content():
        if hasattr(block, "rows"):
            for row in block.rows:
                for cell in row.cells:
                    yield from paragraphs(cell)
        else:
            yield block


def text_of(doc) -> str:
    return "\n".join(p.text for p in paragraphs(doc))


def east_asia(run) -> str | None:
    rfonts = run._r.rPr.rFonts if run._r.rPr is not None else None
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def find_paragraph(doc_or_part, text: str):
    found = [p for p in paragraphs(doc_or_part) if text in p.text]
    assert found, f"找不到“{text}”"
    return found[0]


def approx_mm(length, mm: float, tol: float = 0.5) -> bool:
    return abs(length - Mm(mm)) <= Mm(tol)


# --- page and fonts -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_page_is_a4_with_gbt9704_margins_and_grid(kind):
    sec = rendered(kind).sections[0]
    assert approx_mm(sec.page_width, 210) and approx_mm(sec.page_height, 297)
    for margin, mm in ((sec.top_margin, 37), (sec.bottom_margin, 35),
                       (sec.left_margin, 28), (sec.right_margin, 26)):
        assert approx_mm(margin, mm, 0.1)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"
    assert grid.get(qn("w:type")) == "lines"


@pytest.mark.parametrize("kind", KINDS)
def test_character_spacing_gives_28_characters_a_line(kind):
    rpr = rendered(kind).styles["Normal"].element.rPr
    spacing = int(rpr.find(qn("w:spacing")).get(qn("w:val"))) / 20  # points
    assert 28 * (16 + spacing) <= Mm(156).pt < 29 * (16 + spacing)


@pytest.mark.parametrize("kind", KINDS)
def test_normal_style_is_sanhao_fangsong_in_chinese(kind):
    doc = rendered(kind)
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    styles_xml = doc.styles.element.xml
    assert "eastAsiaTheme" not in styles_xml and 'w:eastAsia="ja-JP"' not in styles_xml
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    assert theme_lang.get(qn("w:eastAsia")) == "zh-CN"


@pytest.mark.parametrize("kind", KINDS)
def test_every_run_names_its_chinese_font(kind):
    doc = rendered(kind)
    runs = [r for p in paragraphs(doc) for r in p.runs if r.text.strip()]
    assert runs and all(east_asia(r) for r in runs), "a run without w:eastAsia"
    body = [p for p in paragraphs(doc) if p.paragraph_format.first_line_indent == Pt(32)]
    assert body, "no body paragraph indented two characters"
    fangsong = [r for p in body for r in p.runs if east_asia(r) == "仿宋_GB2312"]
    assert fangsong and all(r.font.size in (None, Pt(16)) for r in fangsong)


@pytest.mark.parametrize("kind", KINDS)
def test_title_is_erhao_xiaobiaosong_centred(kind):
    ctx = sample_context(kind)
    title = ctx["meeting"]["title"] if kind == "minutes" else ctx["title"]
    p = find_paragraph(rendered(kind), title)
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = next(r for r in p.runs if r.text.strip())
    assert run.font.size == Pt(22) and east_asia(run) == "方正小标宋简体"


# --- 版头 -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_issuer_mark_is_red_xiaobiaosong(kind):
    doc = rendered(kind)
    holder = doc.sections[0].first_page_header if kind == "feedback_letter" else doc
    p = find_paragraph(holder, sample_context(kind)["issuer"])
    run = next(r for r in p.runs if r.text.strip())
    assert str(run.font.color.rgb) == "FF0000"
    assert east_asia(run) == "方正小标宋简体" and run.font.size >= Pt(22)
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.parametrize("kind", KINDS)
def test_document_number_uses_hexagonal_brackets(kind):
    number = sample_context(kind)["doc_number"]
    assert re.search(r"〔\d{4}〕[1-9]\d*号", number)
    p = find_paragraph(rendered(kind), number)
    if kind == "feedback_letter":  # 信函: flush right under the double rule
        assert p.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    else:  # 文件 and 纪要: the red separator is this paragraph's bottom border
        bottom = p._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
        assert bottom.get(qn("w:color")) == "FF0000"


@pytest.mark.parametrize("kind", KINDS)
def test_dates_are_arabic_and_not_zero_padded(kind):
    text = text_of(rendered(kind))
    assert sample_context(kind)["date_cn"] in text
    assert DATE.search(text)
    assert not re.search(r"年0\d月|月0\d日", text)


@pytest.mark.parametrize("kind", [k for k in KINDS if "recipient" in VARIABLES[k]])
def test_recipient_line_ends_with_fullwidth_colon(kind):
    p = find_paragraph(rendered(kind), sample_context(kind)["recipient"] + "：")
    assert p.text.endswith("：")


# --- page numbers ------------------------------------------------------------------------


def _has_page_field(footer) -> bool:
    return any((i.text or "").strip() == "PAGE" for i in footer._element.iter(qn("w:instrText")))


@pytest.mark.parametrize("kind", KINDS)
def test_page_numbers_odd_right_even_left(kind):
    doc = rendered(kind)
    assert doc.settings.odd_and_even_pages_header_footer
    assert doc.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    sec = doc.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        assert _has_page_field(footer) and p.alignment == align
        assert p.text == "— 1 —"
        assert all(east_asia(r) == "宋体" and r.font.size == Pt(14) for r in p.runs)


def test_letter_first_page_has_no_page_number_and_red_double_rules():
    doc = rendered("feedback_letter")
    sec = doc.sections[0]
    assert sec.different_first_page_header_footer  # w:titlePg
    assert not _has_page_field(sec.first_page_footer)
    assert approx_mm(sec.header_distance, 30)  # 标志 30 mm from the page top
    for part, val in ((sec.first_page_header, "thickThinSmallGap"),
                      (sec.first_page_footer, "thinThickSmallGap")):
        rules = [b for b in part._element.iter(qn("w:bottom")) if b.get(qn("w:val")) == val]
        assert rules and rules[0].get(qn("w:color")) == "FF0000"


# --- kind-specific content ---------------------------------------------------------------


def test_minutes_attendance_lines_heiti_label_fangsong_names():
    doc = rendered("minutes")
    meeting = sample_context("minutes")["meeting"]
    for label, key in (("出席", "attendees"), ("请假", "absentees"), ("列席", "observers")):
        p = find_paragraph(doc, label + "：")
        assert p.text == f"{label}：{meeting[key]}"
        assert east_asia(p.runs[0]) == "黑体" and east_asia(p.runs[1]) == "仿宋_GB2312"
    for item in meeting["items"]:
        assert item["decision"] in text_of(doc)
    assert "二、受理编号" in text_of(doc)  # items numbered by the cn_number filter


def test_minutes_without_absentees_or_observers_drop_those_lines():
    ctx = sample_context("minutes")
    ctx["meeting"].update(absentees="", observers="")
    text = text_of(rendered("minutes", ctx))
    assert "出席：" in text and "请假：" not in text and "列席：" not in text


def test_feedback_letter_states_the_objection_rights():
    text = text_of(rendered("feedback_letter"))
    assert "自收到本函之日起60日内依法向高平市人民政府申请行政复议" in text
    assert "自知道或者应当知道作出该行政行为之日起6个月内依法向人民法院提起行政诉讼" in text
    ctx = sample_context("feedback_letter")
    ctx.update(reconsideration_body="", court="高平市人民法院", guidance_unit="")
    text = text_of(rendered("feedback_letter", ctx))
    assert "60日内依法申请行政复议" in text and "向高平市人民法院提起行政诉讼" in text
    assert "咨询" not in text


@pytest.mark.parametrize("count", [0, 1, 3, 12])
def test_supervision_table_has_one_row_per_unit(count):
    ctx = sample_context("supervision_notice")
    base = ctx["rows"]
    ctx["rows"] = [dict(base[i % len(base)], unit=f"单位{i + 1}") for i in range(count)]
    doc = rendered("supervision_notice", ctx)
    table = next(t for t in doc.tables if t.cell(0, 0).text == "序号")
    assert len(table.rows) == count + 1
    assert [r.cells[1].text for r in table.rows[1:]] == [r["unit"] for r in ctx["rows"]]
    assert f"合计{sum(r['overdue_count'] for r in ctx['rows'])}件" in text_of(doc)


@pytest.mark.parametrize("kind", [k for k in KINDS if "cc" in VARIABLES[k]])
def test_cc_line_only_when_there_is_someone_to_copy(kind):
    ctx = sample_context(kind)
    ctx["cc"] = ["甲单位", "乙单位"]
    assert "抄送：甲单位，乙单位。" in text_of(rendered(kind, ctx))
    ctx["cc"] = []
    text = text_of(rendered(kind, ctx))
    assert "抄送" not in text
    if "printed_by" in VARIABLES[kind]:
        assert f"{ctx['printed_date_cn']}印发" in text


def test_transfer_notice_names_its_signer_and_deadline():
    ctx = sample_context("transfer_notice")
    doc = rendered("transfer_notice")
    table = next(t for t in doc.tables if t.cell(0, 0).text == "受理编号")
    rows = {r.cells[0].text: r.cells[1].text for r in table.rows}
    assert rows["签发人"] == ctx["signer"]
    assert rows["办结时限"] == ctx["case"]["deadline_cn"] + "前（5个工作日）"
    ctx["case"]["deadline_workdays"] = None
    table = next(t for t in rendered("transfer_notice", ctx).tables if t.cell(0, 0).text == "受理编号")
    assert {r.cells[0].text: r.cells[1].text for r in table.rows}["办结时限"] == "2026年3月10日前"
    assert ctx["case"]["lead_unit"] in text_of(doc)


# --- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize("kind,path", [
    ("transfer_notice", ("case", "facts")),
    ("handling_opinion", ("case", "facts")),
    ("feedback_letter", ("result",)),
    ("minutes", ("meeting", "attendees")),
])
def test_hostile_text_is_printed_literally(kind, path):
    ctx = sample_context(kind)
    target = ctx
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = HOSTILE + "\x00\x0b第二段\r\n第三段"
    data = render_docx(template=builtin_template_path(kind), context=ctx)
    assert zipfile.ZipFile(BytesIO(data)).testzip() is None
    doc = Document(BytesIO(data))
    text = text_of(doc)
    assert HOSTILE in text  # escaped, not interpreted: no <b>, no evil, no broken XML
    assert "第二段" in text and "\x00" not in text
    assert any(p.text == "第三段" or p.text.endswith("第三段") for p in paragraphs(doc))


def test_missing_values_print_blank_not_none():
    ctx = sample_context("transfer_notice")
    ctx["case"].update(co_units=None, complainant_phone_masked=None)
    doc = rendered("transfer_notice", ctx)
    assert "None" not in text_of(doc)
    table = next(t for t in doc.tables if t.cell(0, 0).text == "受理编号")
    rows = {r.cells[0].text: r.cells[1].text for r in table.rows}
    assert rows["协办单位"] == "无" and rows["联系电话"] == ""
    assert "协助办理" not in text_of(doc)


def test_line_breaks_become_indented_paragraphs():
    ctx = sample_context("handling_opinion")
    doc = rendered("handling_opinion", ctx)
    first, second = ctx["opinion"].split("\n")[:2]
    assert find_paragraph(doc, second).paragraph_format.first_line_indent == Pt(32)
    assert find_paragraph(doc, first) is not find_paragraph(doc, second)


# --- contract and build ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_templates_use_exactly_the_contract(kind):
    used = template_variables(builtin_template_path(kind))
    assert used == set(top_level_fields(kind)) == set(sample_context(kind))


@pytest.mark.parametrize("kind", KINDS)
def test_templates_use_exactly_the_documented_fields(kind):
    ast = _template_ast(builtin_template_path(kind), make_jinja_env())
    heads = set(top_level_fields(kind))
    used = {f"{n.node.name}.{n.attr}" for n in ast.find_all(nodes.Getattr)
            if isinstance(n.node, nodes.Name) and n.node.name in heads}
    assert used == {k for k in VARIABLES[kind] if "." in k and "[]" not in k}


def _get(ctx: dict, dotted: str):
    value = ctx
    for part in dotted.split("."):
        value = value[part]
    return value


@pytest.mark.parametrize("kind", KINDS)
def test_sample_context_fills_every_documented_variable(kind):
    ctx = sample_context(kind)
    for name in VARIABLES[kind]:
        if "[]." in name:  # a field of every list item
            list_name, field = name.split("[].")
            items = _get(ctx, list_name)
            assert items and all(field in item for item in items), name
        else:
            _get(ctx, name)


def test_sample_context_is_a_fresh_copy():
    ctx = sample_context("minutes")
    ctx["meeting"]["items"].clear()
    assert sample_context("minutes")["meeting"]["items"]


def test_committed_templates_match_the_build_script(tmp_path):
    for path in build_all(tmp_path):
        committed = builtin_template_path(path.stem)
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed.name} 已过期：请运行 .venv/bin/python -m docgen.build_templates")


def test_render_accepts_path_bytes_and_stream():
    path = builtin_template_path("acknowledgement")
    ctx = sample_context("acknowledgement")
    texts = {
        text_of(Document(BytesIO(render_docx(template=src, context=copy.deepcopy(ctx)))))
        for src in (path, path.read_bytes(), BytesIO(path.read_bytes()))
    }
    assert len(texts) == 1


def test_render_time_of_a_one_page_document():
    ctx = sample_context("acknowledgement")
    path = builtin_template_path("acknowledgement")
    start = time.perf_counter()
    render_docx(template=path, context=ctx)
    elapsed = time.perf_counter() - start
    print(f"\n受理回执渲染耗时：{elapsed * 1000:.1f} ms")


def test_compiled_template_parts_are_reused_and_stay_escaped():
    import docgen.render as render

    ctx = sample_context("acknowledgement")
    render_docx(template=builtin_template_path("acknowledgement"), context=ctx)
    cached = dict(render._render_env.compiled)
    ctx["case"]["channel"] = HOSTILE
    doc = Document(BytesIO(render_docx(template=builtin_template_path("acknowledgement"), context=ctx)))
    assert render._render_env.compiled == cached  # same template text: nothing compiled again
    assert HOSTILE in text_of(doc)
