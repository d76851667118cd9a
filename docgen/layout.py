"""GB/T 9704-2012 building blocks for python-docx, used by ``build_templates``.

Page, fonts, 版头 (mark, number, red rule), 署名/日期, 版记 and page numbers.
The format facts live in docs/gbt9704.md; this module only turns them into OOXML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
RED = "FF0000"

SIZE_MARK = 36  # 小初; long names are squeezed by the cell's "fit text"
SIZE_TITLE = 22  # 二号
SIZE_BODY = 16  # 三号
SIZE_NOTE = 14  # 四号: 版记, page numbers, tables

LINE = Pt(28.95)  # 579 twips: 22 lines in the 225 mm 版心
TEXT_WIDTH = Mm(156)  # 版心 width
CHAR_SPACING = -5  # twentieths of a point: 28 × (16 − 0.25)pt fits the 156 mm line
CHAR_TW = 320  # one 三号 character in twips, for indents
NOTE_CHAR_TW = 280  # one 四号 character

LEFT, CENTER, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)

# Word rejects a file whose property children are out of schema order, so every
# element we add goes through put() with these sequences (ECMA-376 Part 1).
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
    "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
    "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
TCPR_ORDER = (
    "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText "
    "vAlign hideMark"
).split()
TBLPR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
    "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook"
).split()


def el(tag: str, **attrs) -> OxmlElement:
    """``el("w:bottom", val="single", sz=8)`` → ``<w:bottom w:val="single" w:sz="8"/>``."""
    node = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), str(value))
    return node


def put(parent, child, order):
    """Replace or insert ``child`` at its schema position inside ``parent``."""
    name = child.tag.split("}")[1]
    for old in parent.findall(child.tag):
        parent.remove(old)
    rank = order.index(name)
    for sibling in parent:
        other = sibling.tag.split("}")[1] if isinstance(sibling.tag, str) else ""
        if other in order and order.index(other) > rank:
            sibling.addprevious(child)
            return child
    parent.append(child)
    return child


def set_font(rPr, font: str, size: float | None = None, *, bold=False, color=None):
    """Name the font for every script; Chinese text only reads ``w:eastAsia``."""
    rfonts = put(rPr, el("w:rFonts"), RPR_ORDER)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), font)
    if bold:
        put(rPr, el("w:b"), RPR_ORDER)
    if color:
        put(rPr, el("w:color", val=color), RPR_ORDER)
    if size:
        put(rPr, el("w:sz", val=int(size * 2)), RPR_ORDER)
        put(rPr, el("w:szCs", val=int(size * 2)), RPR_ORDER)


@dataclass(frozen=True)
class Span:
    text: str
    font: str = FANGSONG
    size: float = SIZE_BODY
    bold: bool = False
    color: str | None = None


def fs(text, size=SIZE_BODY):
    return Span(text, FANGSONG, size)


def ht(text, size=SIZE_BODY):
    return Span(text, HEITI, size)


def add_span(paragraph, span: Span):
    run = paragraph.add_run(span.text)
    set_font(run._r.get_or_add_rPr(), span.font, span.size, bold=span.bold, color=span.color)
    return run


def para(
    container,
    *spans,
    align=None,
    first_line=False,
    ind: dict | None = None,
    line=None,
    snap=True,
    border: dict | None = None,
    tabs: list | None = None,
    keep_next=False,
):
    """Add a paragraph of ``Span``s (plain ``str`` means 三号仿宋).

    ``ind`` takes raw ``w:ind`` attributes; ``border`` maps side → ``w:`` attributes.
    ``snap=False`` stops the 28-character grid from widening larger or smaller text.
    """
    p = container.add_paragraph()
    pPr = p._p.get_or_add_pPr()
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    if line is not None:
        pf.line_spacing = line
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    if keep_next:
        pf.keep_with_next = True
    if border:
        pbdr = put(pPr, el("w:pBdr"), PPR_ORDER)
        for side in ("top", "left", "bottom", "right", "between"):
            if side in border:
                pbdr.append(el(f"w:{side}", **border[side]))
    if tabs:
        tabs_el = put(pPr, el("w:tabs"), PPR_ORDER)
        for kind, pos in tabs:
            tabs_el.append(el("w:tab", val=kind, pos=pos))
    if not snap:
        put(pPr, el("w:snapToGrid", val=0), PPR_ORDER)
    attrs = dict(ind or {})
    if first_line:  # 首行缩进二字: chars for Word/WPS, twips for the rest
        attrs.update(firstLineChars=200, firstLine=2 * CHAR_TW)
    if attrs:
        put(pPr, el("w:ind", **attrs), PPR_ORDER)
    for span in spans:
        add_span(p, fs(span) if isinstance(span, str) else span)
    return p


def blank(container, n=1, line=None):
    for _ in range(n):
        para(container, line=line)


def rule(side="bottom", *, val="single", sz=8, space=1, color="auto"):
    return {side: dict(val=val, sz=sz, space=space, color=color)}


# --- document -----------------------------------------------------------------------


def new_document(*, title: str, header_distance=None):
    """An empty A4 GB/T 9704 document: page, grid, fonts, settings."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance = header_distance or Mm(15)
    sec.footer_distance = Mm(20)  # see page_numbers(); the 信函's lower rule sits here too
    # A line grid plus -0.25pt character spacing (Normal style) gives 22 × 28. A
    # linesAndChars grid with a negative charSpace does too in Word, but LibreOffice
    # then gives each 16pt character two 15.8pt cells: 14 characters a line.
    grid = sec._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    _setup_styles(doc)
    _setup_package(doc)
    doc.settings.odd_and_even_pages_header_footer = True
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "OneStop", "OneStop"
    props.language, props.revision, props.comments = "zh-CN", 1, ""
    props.created = props.modified = datetime(2026, 1, 1)
    return doc


def _setup_styles(doc):
    styles = doc.styles.element
    # The default template's theme fonts resolve to a Japanese face (ja-JP).
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in list(rfonts.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del rfonts.attrib[attr]
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_font(rpr_default, FANGSONG, SIZE_BODY)
    put(rpr_default, el("w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA"), RPR_ORDER)
    ppr_default = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    put(ppr_default, el("w:spacing", after=0, line=240, lineRule="auto"), PPR_ORDER)

    normal = doc.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    set_font(rpr, FANGSONG, SIZE_BODY)
    put(rpr, el("w:spacing", val=CHAR_SPACING), RPR_ORDER)
    put(rpr, el("w:lang", val="en-US", eastAsia="zh-CN"), RPR_ORDER)
    pf = normal.paragraph_format
    pf.line_spacing, pf.line_spacing_rule = LINE, WD_LINE_SPACING.EXACTLY
    pf.space_before = pf.space_after = Pt(0)
    pf.alignment = JUSTIFY


_FONTS = (  # name, substitute Word may use where the official font is missing, family
    (FANGSONG, "仿宋", "modern"),
    (XIAOBIAOSONG, "宋体", "script"),
    (KAITI, "楷体", "modern"),
    (HEITI, "SimHei", "modern"),
    (SONGTI, "SimSun", "auto"),
)


def _setup_package(doc):
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    for rid, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):  # a picture of python-docx's blank page
            del doc.part.package.rels[rid]
    for rid, rel in list(doc.part.rels.items()):
        kind = rel.reltype.rsplit("/", 1)[-1]
        if kind == "stylesWithEffects":  # Word 2010 copy of the styles, still Japanese
            doc.part.drop_rel(rid)
        elif kind == "fontTable":
            part = rel.target_part
            table = parse_xml(part.blob)
            for name, alt, family in _FONTS:
                font = el("w:font", name=name)
                font.append(el("w:altName", val=alt))
                font.append(el("w:charset", val=86))  # GB2312
                font.append(el("w:family", val=family))
                font.append(el("w:pitch", val="variable"))
                table.append(font)
            part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8",
                                        standalone=True)


# --- 版头 -----------------------------------------------------------------------------


def mark_table(container, text: str, *, size=SIZE_MARK, width=TEXT_WIDTH):
    """发文机关标志 as a borderless one-cell table with Word's "fit text".

    A cell that fits its text keeps a long name (20+ characters at 小初) inside the
    版心 by squeezing it, which a plain paragraph cannot do.
    """
    table = getattr(container, "_body", container).add_table(1, 1, width)
    tblPr = table._tbl.tblPr
    put(tblPr, el("w:tblW", w=width.twips, type="dxa"), TBLPR_ORDER)
    put(tblPr, el("w:jc", val="center"), TBLPR_ORDER)
    borders = put(tblPr, el("w:tblBorders"), TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(el(f"w:{side}", val="nil"))
    put(tblPr, el("w:tblLayout", type="fixed"), TBLPR_ORDER)
    margins = put(tblPr, el("w:tblCellMar"), TBLPR_ORDER)
    for side in ("left", "right"):
        margins.append(el(f"w:{side}", w=0, type="dxa"))
    grid = table._tbl.tblGrid
    for col in grid.findall(qn("w:gridCol")):
        col.set(qn("w:w"), str(width.twips))
    cell = table.cell(0, 0)
    tcPr = cell._tc.get_or_add_tcPr()
    put(tcPr, el("w:tcW", w=width.twips, type="dxa"), TCPR_ORDER)
    put(tcPr, el("w:tcFitText"), TCPR_ORDER)
    p = cell.paragraphs[0]
    p._p.getparent().remove(p._p)
    para(cell, Span(text, XIAOBIAOSONG, size, color=RED), align=CENTER, line=Pt(size * 1.25),
         snap=False)
    return table


def red_rule(**extra):
    # 发文字号 paragraph's bottom border: the red separator 4 mm (11pt) below it
    return rule("bottom", sz=8, space=11, color=RED, **extra)


def title(container, text: str):
    return para(container, Span(text, XIAOBIAOSONG, SIZE_TITLE), align=CENTER, snap=False)


def heading(container, text: str):
    """一级标题 "一、……": 黑体, first-line indent like the body."""
    return para(container, ht(text), first_line=True, keep_next=True)


def recipient(container, text: str = "{{ recipient }}"):
    return para(container, text + "：", align=LEFT)


def body(container, *spans):
    return para(container, *spans, first_line=True, align=JUSTIFY)


def signature(container, sender="{{ sender }}", date="{{ date_cn }}", room=2):
    """署名 and 成文日期 for a sealed document: date 右空四字, 署名 right above it.

    The standard centres the 署名 over the date; with variable text lengths a
    fixed right indent is the stable approximation (clerks may adjust).
    """
    blank(container, room)  # room for the seal above the date
    para(container, sender, align=RIGHT, ind=dict(rightChars=200, right=2 * CHAR_TW))
    para(container, date, align=RIGHT, ind=dict(rightChars=400, right=4 * CHAR_TW))


# --- 版记 -----------------------------------------------------------------------------

_THICK = dict(val="single", sz=8, space=0, color="auto")  # 0.35 mm
_THIN = dict(val="single", sz=6, space=0, color="auto")  # 0.25 mm


def _rule_line(container, border):
    # a rule of its own, so it spans the 版心 while the text lines are indented
    para(container, line=Pt(3), snap=False, border={"bottom": border})


def _note(container, *spans, ind):
    return para(container, *spans, ind=ind, snap=False, align=LEFT,
                tabs=[("right", TEXT_WIDTH.twips - NOTE_CHAR_TW)])


def _cc(container):
    hang = 3 * NOTE_CHAR_TW  # wrapped lines align after "抄送："
    _note(container, fs("抄送：{{ cc|join('，') }}。", SIZE_NOTE),
          ind=dict(left=NOTE_CHAR_TW + hang, hanging=hang, right=NOTE_CHAR_TW))


def imprint(container, *, printed=True, gap=1):
    """版记: thick rule, optional 抄送, thin rule, 印发机关 + 印发日期, thick rule.

    Without ``printed`` (信函) only the 抄送 line remains, between two thick rules,
    and the whole 版记 disappears when there is nothing to copy to. Moving it to
    the foot of the last page is left to the clerk (it depends on the length).
    """
    blank(container, gap)
    if not printed:
        para(container, "{%p if cc %}")
        _rule_line(container, _THICK)
        _cc(container)
        _rule_line(container, _THICK)
        para(container, "{%p endif %}")
        return
    _rule_line(container, _THICK)
    para(container, "{%p if cc %}")
    _cc(container)
    _rule_line(container, _THIN)
    para(container, "{%p endif %}")
    _note(container, fs("{{ printed_by }}", SIZE_NOTE), fs("\t{{ printed_date_cn }}印发", SIZE_NOTE),
          ind=dict(left=NOTE_CHAR_TW))
    _rule_line(container, _THICK)


# --- page numbers -----------------------------------------------------------------------


def _page_field(paragraph):
    def run(child=None, text=None):
        r = paragraph.add_run(text)
        set_font(r._r.get_or_add_rPr(), SONGTI, SIZE_NOTE)
        if child is not None:
            r._r.append(child)
        return r

    run(text="— ")
    run(el("w:fldChar", fldCharType="begin"))
    instr = el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run(instr)
    run(el("w:fldChar", fldCharType="separate"))
    run(text="1")
    run(el("w:fldChar", fldCharType="end"))
    run(text=" —")


def page_numbers(section):
    """"— N —" in 四号宋体: odd pages right, even pages left, one character in.

    The footer sits 20 mm from the page edge; an exact 22pt line puts the number
    about 7 mm below the 版心 (35 mm).
    """
    for footer, align, ind in (
        (section.footer, RIGHT, dict(right=NOTE_CHAR_TW)),
        (section.even_page_footer, LEFT, dict(left=NOTE_CHAR_TW)),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        p.paragraph_format.alignment = align
        p.paragraph_format.line_spacing = Pt(22)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        put(p._p.get_or_add_pPr(), el("w:snapToGrid", val=0), PPR_ORDER)
        put(p._p.get_or_add_pPr(), el("w:ind", **ind), PPR_ORDER)
        _page_field(p)
