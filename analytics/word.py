"""Word building blocks for the analysis report and the typical-case compilation, on top of
docgen.layout's GB/T 9704 page, fonts and page numbers."""

from __future__ import annotations

from io import BytesIO
from os import PathLike

from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from analytics.statistics import Table
from docgen.layout import (
    CENTER,
    FANGSONG,
    HEITI,
    KAITI,
    LEFT,
    PPR_ORDER,
    RIGHT,
    SIZE_NOTE,
    TBLPR_ORDER,
    TCPR_ORDER,
    TEXT_WIDTH,
    Span,
    body,
    el,
    heading,
    new_document,
    page_numbers,
    para,
    put,
    title,
)
from docgen.render import cn_date

_BORDER = dict(val="single", sz=4, space=0, color="auto")


def report_document(*, heading_text: str, issuer: str, dated) -> object:
    """A GB/T 9704 page with the title, the issuing office and date under it, page numbers."""
    doc = new_document(title=heading_text)
    page_numbers(doc.sections[0])
    title(doc, heading_text)
    para(doc, Span(issuer, KAITI), align=CENTER)
    para(doc, Span(cn_date(dated), KAITI), align=CENTER)
    para(doc)
    return doc


def _outline(paragraph, level: int) -> None:
    # Word's navigation pane and table of contents read the outline level.
    put(paragraph._p.get_or_add_pPr(), el("w:outlineLvl", val=level), PPR_ORDER)


def heading1(doc, text: str):
    """一、… in 黑体."""
    paragraph = heading(doc, text)
    _outline(paragraph, 0)
    return paragraph


def heading2(doc, text: str):
    """（一）… in 楷体."""
    paragraph = para(doc, Span(text, KAITI), first_line=True, keep_next=True)
    _outline(paragraph, 1)
    return paragraph


def paragraphs(doc, text: str) -> None:
    for line in (text or "").splitlines():
        if line.strip():
            body(doc, line.strip())


def caption(doc, text: str):
    return para(doc, Span(text, HEITI, SIZE_NOTE), align=CENTER, keep_next=True, snap=False)


def note(doc, text: str):
    return para(doc, Span(text, FANGSONG, SIZE_NOTE), align=LEFT, snap=False, line=Pt(22))


def _widths(count: int) -> list[int]:
    total = round(TEXT_WIDTH.twips)
    if count == 1:
        return [total]
    first = max(round(total * 0.34), total // count) if count > 2 else total // 2
    rest = (total - first) // (count - 1)
    return [first] + [rest] * (count - 2) + [total - first - rest * (count - 2)]


def table_block(doc, table: Table, number: int) -> None:
    """表N caption, then a bordered 四号 table with a repeating 黑体 header, then its note."""
    caption(doc, f"表{number}　{table.title}")
    rows = table.display_rows()
    if not rows:
        note(doc, "本期无相关数据。")
        return
    widths = _widths(len(table.columns))
    grid = doc.add_table(rows=len(rows) + 1, cols=len(widths))
    tblPr = grid._tbl.tblPr
    put(tblPr, el("w:tblW", w=sum(widths), type="dxa"), TBLPR_ORDER)
    put(tblPr, el("w:jc", val="center"), TBLPR_ORDER)
    borders = put(tblPr, el("w:tblBorders"), TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", **_BORDER))
    put(tblPr, el("w:tblLayout", type="fixed"), TBLPR_ORDER)
    for col, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for r, texts in enumerate([table.columns, *rows]):
        tr = grid.rows[r]
        trPr = tr._tr.get_or_add_trPr()
        trPr.append(el("w:cantSplit"))
        if r == 0:
            trPr.append(el("w:tblHeader"))  # repeat the header on every page
        for c, width in enumerate(widths):
            cell = tr.cells[c]
            tcPr = cell._tc.get_or_add_tcPr()
            put(tcPr, el("w:tcW", w=width, type="dxa"), TCPR_ORDER)
            put(tcPr, el("w:vAlign", val="center"), TCPR_ORDER)
            cell._tc.remove(cell.paragraphs[0]._p)
            font = HEITI if r == 0 else FANGSONG
            align = CENTER if r == 0 else (LEFT if c == 0 else RIGHT)
            para(cell, Span(texts[c], font, SIZE_NOTE), align=align, line=Pt(22), snap=False)
    if table.note:
        note(doc, "注：" + table.note)


def picture_block(doc, png: bytes | None, text: str, number: int) -> bool:
    """An inline chart, 150 mm wide, with 图N under it; False when there is no chart."""
    if not png:
        return False
    paragraph = para(doc, align=CENTER, snap=False, keep_next=True)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # exact would clip it
    paragraph.add_run().add_picture(BytesIO(png), width=Mm(150))
    caption(doc, f"图{number}　{text}")
    return True


def save(doc, output) -> None:
    """Save to a path (str or Path) or a binary file object."""
    doc.save(str(output) if isinstance(output, PathLike) else output)
