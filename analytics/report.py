"""The periodic review (复盘): a GB/T 9704-style Word report of a mechanism's period, and the
same figures as a workbook (one sheet per table)."""

from __future__ import annotations

from analytics.charts import chart_png
from analytics.statistics import Figures, display
from analytics.typical import typical_section
from analytics.word import heading1, note, picture_block, report_document, save, table_block
from docgen.layout import body

# (heading, table keys) in reading order; every table of Figures appears once.
SECTIONS = [
    ("一、受理总体情况", ["month", "status"]),
    ("二、争议类别和受理渠道", ["category", "channel"]),
    ("三、受理和承办单位", ["unit", "tier"]),
    ("四、办理时效", ["durations", "on_time"]),
    ("五、办理质量", ["satisfaction"]),
    ("六、需要关注的对象", ["repeat", "employers"]),
    ("七、督办情况", ["supervision", "overdue_cases"]),
    ("八、风险预警", ["warnings"]),
]


def report_title(figures: Figures) -> str:
    return f"{figures.mechanism.region}社会保险费征缴争议处理情况分析（{figures.period.label}）"


def overview_text(figures: Figures) -> str:
    h = figures.headline
    text = f"{figures.period.label}，{figures.mechanism.name}共受理社会保险费征缴争议{h['total']}件"
    if not h["total"]:
        return text + "。"
    text += (f"，其中已办结{h['settled']}件，平均办理时长{display(h['settle_avg'], 'dec1')}个工作日；"
             f"转办按时率{display(h['transfer_rate'], 'pct')}，办结按时率"
             f"{display(h['settle_rate'], 'pct')}；回访满意率（满意和基本满意）"
             f"{display(h['satisfied_rate'], 'pct')}。现将有关情况分析如下。")
    return text


def analysis_report_docx(*, figures: Figures, typical: list, output) -> dict[str, int]:
    """Write the report; returns how many tables, charts and typical cases it holds."""
    doc = report_document(heading_text=report_title(figures),
                          issuer=figures.mechanism.office_name, dated=figures.today)
    body(doc, overview_text(figures))
    tables = charts = 0
    for heading, keys in SECTIONS:
        heading1(doc, heading)
        for key in keys:
            table = figures.table(key)
            tables += 1
            table_block(doc, table, tables)
            if picture_block(doc, chart_png(table), table.title, charts + 1):
                charts += 1
    heading1(doc, "九、典型案例")
    typical_section(doc, typical)
    note(doc, "说明：除督办情况和风险预警外，本报告统计本期受理的事项；工作日按国家法定节假日和"
              "调休安排计算。")
    save(doc, output)
    return {"tables": tables, "charts": charts, "typical": len(typical)}


def figures_xlsx(*, figures: Figures, output) -> int:
    """One sheet per table (header row first, then the figures), and a 说明 sheet last."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in figures.tables:
        name = _sheet_name(table.title, used)
        sheet = workbook.create_sheet(name)
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        formats = table.formats + [""] * (len(table.columns) - len(table.formats))
        for row in table.rows:
            sheet.append(row)
            for cell, fmt in zip(sheet[sheet.max_row], formats, strict=False):
                if fmt == "pct":
                    cell.number_format = "0.0%"
                elif fmt == "dec1":
                    cell.number_format = "0.0"
        for index, column in enumerate(table.columns):
            width = max([len(str(column))] + [len(str(r[index])) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(1, index + 1).column_letter].width = min(
                60, 4 + width * 1.6)
    about = workbook.create_sheet("说明")
    about.append(["项目", "内容"])
    about.append(["标题", report_title(figures)])
    about.append(["统计期间", f"{figures.period.start.isoformat()} 至 {figures.period.end.isoformat()}"])
    about.append(["生成日期", figures.today.isoformat()])
    for table in figures.tables:
        if table.note:
            about.append([table.title, table.note])
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 20, 100
    workbook.save(output)
    return len(figures.tables)


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ , unique in the workbook
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name)
    return name
