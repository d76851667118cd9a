"""Write the six built-in .docx templates into ``docgen/templates/``.

Run ``.venv/bin/python -m docgen.build_templates`` after changing this file and
commit the regenerated templates. The output is byte-for-byte reproducible.

Tags follow docxtpl: ``{{ x }}`` inside a run, ``{%p … %}`` alone in a paragraph,
``{%tr … %}`` alone in a table row. The variables are listed in ``variables.py``.

签发人: GB/T 9704 puts it in the 版头 of 上行文 only, and none of these six goes up
to a superior, so no 版头 carries one. The 转办单 names its 签发人 in the case
table instead, because a transfer binds the receiving unit and must show who
authorised it (local practice); the others are signed by the issuing office's seal.
"""

from __future__ import annotations

import sys
import zipfile
from io import BytesIO
from pathlib import Path

from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docgen.layout import (
    CENTER,
    CHAR_TW,
    FANGSONG,
    HEITI,
    LEFT,
    RED,
    RIGHT,
    SIZE_NOTE,
    TBLPR_ORDER,
    TCPR_ORDER,
    TEXT_WIDTH,
    Span,
    blank,
    body,
    el,
    fs,
    heading,
    ht,
    imprint,
    mark_table,
    new_document,
    page_numbers,
    para,
    put,
    recipient,
    red_rule,
    rule,
    signature,
    title,
)
from docgen.variables import KIND_LABELS

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

YOU = "你（单位）"  # the usual address to a payer who may be a person or an employer
CONTACT_NOTE = "（联系人：{{ contact_person }}；联系电话：{{ contact_phone }}）"


_CELL_BORDER = dict(val="single", sz=4, space=0, color="auto")


def grid_table(container, widths_mm, rows, *, header_rows=0, label_col=False, aligns=None):
    """A bordered 四号 table as wide as the 版心; each row is a list of cell texts.

    The last column takes what the others leave. A row holding only a ``{%tr … %}``
    tag keeps its other cells empty, as docxtpl drops the whole row. ``label_col``
    sets the first column in 黑体 (a form); ``aligns`` gives "center"/"left" per column.
    """
    widths = [round(Mm(w).twips) for w in widths_mm[:-1]]
    widths.append(round(TEXT_WIDTH.twips) - sum(widths))
    table = getattr(container, "_body", container).add_table(len(rows), len(widths), TEXT_WIDTH)
    tblPr = table._tbl.tblPr
    put(tblPr, el("w:tblW", w=sum(widths), type="dxa"), TBLPR_ORDER)
    put(tblPr, el("w:jc", val="center"), TBLPR_ORDER)
    borders = put(tblPr, el("w:tblBorders"), TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", **_CELL_BORDER))
    put(tblPr, el("w:tblLayout", type="fixed"), TBLPR_ORDER)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    aligns = aligns or ["left"] * len(widths)
    for r, texts in enumerate(rows):
        trPr = table.rows[r]._tr.get_or_add_trPr()
        trPr.append(el("w:cantSplit"))  # a row never breaks across pages
        if r < header_rows:  # repeat the header on every page
            trPr.append(el("w:tblHeader"))
        row = table.rows[r]
        for c, width in enumerate(widths):
            cell = row.cells[c]
            tcPr = cell._tc.get_or_add_tcPr()
            put(tcPr, el("w:tcW", w=width, type="dxa"), TCPR_ORDER)
            put(tcPr, el("w:vAlign", val="center"), TCPR_ORDER)
            cell._tc.remove(cell.paragraphs[0]._p)
            text = texts[c] if c < len(texts) else ""
            head = r < header_rows or (label_col and c == 0)
            span = text if isinstance(text, Span) else Span(
                text, HEITI if head else FANGSONG, SIZE_NOTE)
            align = CENTER if head or aligns[c] == "center" else LEFT
            para(cell, span, align=align, line=Pt(22), snap=False)
    return table


def _file_head(doc, *, number_line=None, compact=False):
    """文件格式版头: mark 35 mm below the 版心 top, number, red rule, title space.

    ``compact`` (受理回执, local practice) starts the mark at the top of the 版心 and
    keeps one blank line instead of two, so a receipt fits on one page.
    """
    gap = 1 if compact else 2
    if not compact:
        para(doc, line=Mm(35))  # the spacer is what puts the mark 35 mm down
    mark_table(doc, "{{ issuer }}")
    blank(doc, gap)
    if number_line is None:
        para(doc, "{{ doc_number }}", align=CENTER, border=red_rule())
    else:
        number_line()
    blank(doc, gap)


def _case_intro_table(doc, rows):
    para(doc, ht("争议事项基本情况"), align=CENTER, keep_next=True)
    grid_table(doc, (34, 122), rows, label_col=True)


def build_acknowledgement():
    # short on purpose: a receipt handed over the counter should fit one page
    doc = new_document(title="受理回执")
    _file_head(doc, compact=True)
    title(doc, "{{ title }}")
    blank(doc)
    recipient(doc)
    body(doc, YOU + "于{{ case.accepted_date_cn }}通过{{ case.channel }}反映的"
         "{{ case.category }}争议事项，本办已于当日受理，受理编号为{{ case.number }}，"
         "查询码为{{ case.query_code }}。")
    body(doc, "本办将按照“谁受理、谁处理、谁跟踪、谁反馈”的原则跟踪办理，并于"
         "{{ case.deadline_cn }}前将办理结果告知" + YOU + "。办理期间，可凭受理编号和查询码"
         "通过{{ query_method }}查询办理进度。")
    body(doc, CONTACT_NOTE)
    signature(doc, room=1)
    imprint(doc, gap=0)
    page_numbers(doc.sections[0])
    return doc


def build_transfer_notice():
    doc = new_document(title="转办单")
    _file_head(doc)
    title(doc, "{{ title }}")
    blank(doc)
    recipient(doc)
    body(doc, "{{ case.accepted_date_cn }}，本办受理{{ case.complainant_name }}反映的"
         "{{ case.category }}争议事项（受理编号：{{ case.number }}）。经审核，该事项属于"
         "{{ case.tier }}，依据职责转你单位牵头办理{% if case.co_units %}，"
         "{{ case.co_units }}协助办理{% endif %}。")
    body(doc, "请于{{ case.deadline_cn }}前办结，并将办理结果书面反馈本办。经研判本单位无法"
         "办结的，请及时提请{{ forum }}研判办理；不属于本单位职责的，请说明理由并移交有权处理"
         "的单位，不得推诿。")
    blank(doc)
    _case_intro_table(doc, [
        ["受理编号", "{{ case.number }}"],
        ["受理日期", "{{ case.accepted_date_cn }}"],
        ["受理渠道", "{{ case.channel }}"],
        ["反映人", "{{ case.complainant_name }}（{{ case.complainant_type }}）"],
        ["证件号码", "{{ case.complainant_id_masked }}"],
        ["联系电话", "{{ case.complainant_phone_masked }}"],
        ["争议类别", "{{ case.category }}"],
        ["事项等级", "{{ case.tier }}"],
        ["主要事实", "{{ case.facts }}"],
        ["诉求", "{{ case.request }}"],
        ["牵头单位", "{{ case.lead_unit }}"],
        ["协办单位", "{{ case.co_units or '无' }}"],
        ["办结时限", "{{ case.deadline_cn }}前{% if case.deadline_workdays %}"
                     "（{{ case.deadline_workdays }}个工作日）{% endif %}"],
        ["签发人", "{{ signer }}"],
        ["经办人", "{{ contact_person }}（{{ contact_phone }}）"],
    ])
    signature(doc)
    imprint(doc)
    page_numbers(doc.sections[0])
    return doc


def _attendance(doc, label, value):
    # wrapped lines align after "出席：" (three characters)
    hang = dict(leftChars=300, left=3 * CHAR_TW, hangingChars=300, hanging=3 * CHAR_TW)
    para(doc, ht(label + "："), fs(value), ind=hang)


def build_minutes():
    doc = new_document(title="会议纪要")

    def number_and_date():
        # 纪要: number left and date right on one line, over the red rule
        right_tab = round(TEXT_WIDTH.twips) - CHAR_TW
        para(doc, "{{ doc_number }}", "\t{{ date_cn }}", align=LEFT, border=red_rule(),
             ind=dict(left=CHAR_TW), tabs=[("right", right_tab)])

    _file_head(doc, number_line=number_and_date)
    title(doc, "{{ meeting.title }}")
    blank(doc)
    body(doc, "{{ meeting.date_cn }}，{{ meeting.chair }}在{{ meeting.place }}主持召开"
         "{{ meeting.name }}，对{{ meeting.items|length }}件争议事项进行集体商议。现将会议"
         "议定事项纪要如下：")
    para(doc, "{%p for item in meeting.items %}")
    heading(doc, "{{ loop.index|cn_number }}、受理编号{{ item.case_number }}的争议事项")
    body(doc, "{{ item.summary }}")
    body(doc, "会议议定：{{ item.decision }}")
    para(doc, "{%p endfor %}")
    blank(doc)
    _attendance(doc, "出席", "{{ meeting.attendees }}")
    para(doc, "{%p if meeting.absentees %}")
    _attendance(doc, "请假", "{{ meeting.absentees }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if meeting.observers %}")
    _attendance(doc, "列席", "{{ meeting.observers }}")
    para(doc, "{%p endif %}")
    imprint(doc)
    page_numbers(doc.sections[0])
    return doc


def build_handling_opinion():
    doc = new_document(title="书面处理意见")
    _file_head(doc)
    title(doc, "{{ title }}")
    blank(doc)
    recipient(doc)
    body(doc, "{{ case.complainant_name }}反映的{{ case.category }}争议事项（受理编号："
         "{{ case.number }}），经{{ case.lead_unit }}研判无法办结，提请{{ forum }}研判办理。"
         "{{ meeting_date_cn }}，{{ forum }}对该事项进行了会商（{{ minutes_number }}）。现提出"
         "书面处理意见如下：")
    heading(doc, "一、基本情况")
    body(doc, "{{ case.facts }}")
    heading(doc, "二、当事人诉求")
    body(doc, "{{ case.request }}")
    heading(doc, "三、处理意见")
    body(doc, "{{ opinion }}")
    heading(doc, "四、有关要求")
    body(doc, "请{{ case.lead_unit }}牵头{% if case.co_units %}、{{ case.co_units }}配合"
         "{% endif %}，按照上述意见于{{ case.deadline_cn }}前办理完毕，向争议双方反馈处理"
         "结果，并将办理和反馈情况书面报送本办。")
    body(doc, CONTACT_NOTE)
    signature(doc)
    imprint(doc)
    page_numbers(doc.sections[0])
    return doc


def _double_rule(container, val, side, line):
    # 信函 red double rules are 170 mm wide: 7 mm past each side of the 版心
    out = -round(Mm(7).twips)
    para(container, line=line, snap=False, ind=dict(left=out, right=out),
         border=rule(side, val=val, sz=18, space=0, color=RED))


def build_feedback_letter():
    # 信函格式: the header starts 30 mm from the page top and the body flows below it
    doc = new_document(title="反馈函", header_distance=Mm(30))
    sec = doc.sections[0]
    sec.different_first_page_header_footer = True  # no page number on page 1
    header = sec.first_page_header
    header.is_linked_to_previous = False
    header._element.remove(header.paragraphs[0]._p)
    mark_table(header, "{{ issuer }}")
    _double_rule(header, "thickThinSmallGap", "bottom", Mm(4))  # thick over thin, ~4 mm below
    footer = sec.first_page_footer
    footer.is_linked_to_previous = False
    footer._element.remove(footer.paragraphs[0]._p)
    _double_rule(footer, "thinThickSmallGap", "bottom", Pt(2))  # thin over thick, 20 mm up
    page_numbers(sec)

    para(doc, "{{ doc_number }}", align=RIGHT)
    blank(doc)
    title(doc, "{{ title }}")
    blank(doc)
    recipient(doc)
    # to the employer the case is not "yours": it never learns who complained
    body(doc, "{% if party == '用人单位' %}本办于{{ case.accepted_date_cn }}受理的涉及你单位的"
         "{% else %}" + YOU + "于{{ case.accepted_date_cn }}反映的{% endif %}"
         "{{ case.category }}争议事项（受理编号："
         "{{ case.number }}），已由{{ case.lead_unit }}办理完毕。"
         "现将处理结果函告如下：")
    body(doc, "{{ result }}")
    # 行政复议法第二十条（60日）、行政诉讼法第四十六条（6个月）; 依法 covers 复议前置 cases
    body(doc, "对上述处理结果有异议的，可以自收到本函之日起60日内依法"
         "{% if reconsideration_body %}向{{ reconsideration_body }}{% endif %}申请行政复议，"
         "或者自知道或者应当知道作出该行政行为之日起6个月内依法向"
         "{{ court or '人民法院' }}提起行政诉讼。")
    para(doc, "{%p if guidance_unit %}")
    body(doc, "如需了解申请行政复议、提起行政诉讼的程序，可以向{{ guidance_unit }}咨询。")
    para(doc, "{%p endif %}")
    body(doc, "特此函告。")
    body(doc, CONTACT_NOTE)
    signature(doc)
    imprint(doc, printed=False)
    return doc


def build_supervision_notice():
    doc = new_document(title="通报")
    _file_head(doc)
    title(doc, "{{ title }}")
    blank(doc)
    recipient(doc)
    body(doc, "本办对{{ period_label }}各单位争议事项办理时限落实情况进行了督办检查。截至"
         "{{ as_of_date_cn }}，共有{{ rows|length }}个单位存在逾期未办结事项，合计"
         "{{ rows|sum(attribute='overdue_count') }}件。现将有关情况通报如下：")
    heading(doc, "一、逾期未办结情况")
    grid_table(doc, (15, 42, 24, 28, 47), [
        ["序号", "单位", "逾期件数", "最长逾期（工作日）", "受理编号"],
        ["{%tr for row in rows %}"],
        ["{{ loop.index }}", "{{ row.unit }}", "{{ row.overdue_count }}",
         "{{ row.oldest_days }}", "{{ row.cases }}"],
        ["{%tr endfor %}"],
    ], header_rows=1, aligns=("center", "left", "center", "center", "left"))
    blank(doc)
    heading(doc, "二、有关要求")
    body(doc, "请上述单位高度重视，于{{ rectify_deadline_cn }}前办结逾期事项，并将逾期原因和"
         "整改情况书面报送本办。本办将持续跟踪督办，对无正当理由再次逾期的，提请{{ forum }}"
         "研究处理。")
    signature(doc)
    imprint(doc)
    page_numbers(doc.sections[0])
    return doc


BUILDERS = {
    "acknowledgement": build_acknowledgement,
    "transfer_notice": build_transfer_notice,
    "minutes": build_minutes,
    "handling_opinion": build_handling_opinion,
    "feedback_letter": build_feedback_letter,
    "supervision_notice": build_supervision_notice,
}
assert set(BUILDERS) == set(KIND_LABELS), "every kind needs a builder"


def save_reproducible(doc, path) -> None:
    """Save with fixed zip timestamps so a rebuild gives identical bytes."""
    buf = BytesIO()
    doc.save(buf)
    out = BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def build_all(target: Path = TEMPLATE_DIR) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, build in BUILDERS.items():
        path = target / f"{kind}.docx"
        save_reproducible(build(), path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else TEMPLATE_DIR
    for path in build_all(target):
        print(f"已生成 {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
