"""The periodic review in Word and Excel, the typical-case compilation and the ledger export,
opened again with python-docx, pandas and openpyxl to check what they say."""

import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from analytics.periods import period_parse
from analytics.report import analysis_report_docx, figures_xlsx
from analytics.services import typical_case_mark
from analytics.statistics import figures_compute

pytestmark = pytest.mark.django_db

TITLE = "高平市社会保险费征缴争议处理情况分析（2025年第三季度）"


@pytest.fixture
def typical(dataset):
    return typical_case_mark(
        case=dataset.a, actor=dataset.actors["office"], title="滞纳金争议经核实更正核定",
        summary="王某反映单位欠缴导致个人被加收滞纳金。\n税务部门核实后更正核定，滞纳金由单位承担。",
        lessons="欠费责任在单位的，滞纳金不得转嫁职工。")


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_by_header(doc, first: str, second: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first
                and t.rows[0].cells[1].text == second)


def test_analysis_report_command_writes_word_and_excel(dataset, typical, tmp_path, capsys):
    docx_path, xlsx_path = tmp_path / "report.docx", tmp_path / "report.xlsx"
    call_command("analysis_report", "--mechanism", "gaoping", "--period", "2025-Q3",
                 "--output", str(docx_path), "--xlsx", str(xlsx_path))
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith(f"《{TITLE}》已写入") and "本期受理 4 件" in summary
    assert "典型案例 1 件" in summary

    doc = Document(str(docx_path))
    paragraphs = texts(doc)
    assert paragraphs[0] == TITLE
    headings = [p for p in paragraphs if p[:2] in {"一、", "二、", "三、", "四、", "五、", "六、",
                                                   "七、", "八、", "九、"}]
    assert headings == ["一、受理总体情况", "二、争议类别和受理渠道", "三、受理和承办单位", "四、办理时效",
                        "五、办理质量", "六、需要关注的对象", "七、督办情况", "八、风险预警", "九、典型案例"]
    heading = next(p for p in doc.paragraphs if p.text == "四、办理时效")
    assert heading._p.pPr.find(qn("w:outlineLvl")) is not None
    assert any("共受理社会保险费征缴争议4件" in p for p in paragraphs)
    months = table_by_header(doc, "月份", "件数")
    assert [[c.text for c in r.cells] for r in months.rows[1:]] == [
        ["2025年7月", "1"], ["2025年8月", "1"], ["2025年9月", "2"]]
    durations = table_by_header(doc, "环节", "件数")
    assert [c.text for c in durations.rows[1].cells] == ["受理至转办", "3", "1.0", "2", "2"]
    assert [c.text for c in durations.rows[2].cells] == ["受理至办结", "3", "3.3", "8", "8"]
    assert len(doc.inline_shapes) >= 4  # charts embedded as inline pictures
    assert any(p.startswith("图1") for p in paragraphs) and any(p.startswith("表1") for p in paragraphs)
    assert "（一）滞纳金争议经核实更正核定" in paragraphs
    assert any("滞纳金由单位承担" in p for p in paragraphs)
    assert "王建国" not in "\n".join(paragraphs)  # the write-up only, no personal data
    section = doc.sections[0]
    assert (round(section.top_margin.mm), round(section.left_margin.mm)) == (37, 28)

    sheets = pd.read_excel(xlsx_path, sheet_name=None)
    assert sheets["按月受理量"].to_dict("list") == {"月份": ["2025年7月", "2025年8月", "2025年9月"],
                                                   "件数": [1, 1, 2]}
    assert sheets["办理时长（工作日）"].set_index("环节").loc["受理至反馈"].tolist() == [3, 4.0, 9, 9]
    on_time = sheets["按时完成率"]
    row = on_time[(on_time["单位"] == "高平市信访局") & (on_time["环节"] == "转办")].iloc[0]
    assert (row["完成件数"], row["按时件数"], row["按时率"]) == (2, 1, 0.5)
    assert set(sheets) >= {"争议类别", "受理渠道", "回访满意度", "重复反映人", "督办情况", "说明"}
    assert load_workbook(xlsx_path)["按时完成率"]["E2"].number_format == "0.0%"


def test_every_table_has_a_sheet_and_a_place_in_the_report(dataset):
    figures = figures_compute(mechanism=dataset.mechanism, period=period_parse("2025-Q3"),
                              today=dataset.today)
    buffer = io.BytesIO()
    assert figures_xlsx(figures=figures, output=buffer) == len(figures.tables)
    buffer.seek(0)
    assert len(pd.read_excel(buffer, sheet_name=None)) == len(figures.tables) + 1
    out = io.BytesIO()
    counts = analysis_report_docx(figures=figures, typical=[], output=out)
    assert counts["tables"] == len(figures.tables)
    assert "本期未标记典型案例。" in texts(Document(io.BytesIO(out.getvalue())))


def test_an_empty_period_still_makes_a_report(dataset, tmp_path):
    path = tmp_path / "empty.docx"
    call_command("analysis_report", "--mechanism", "gaoping", "--period", "2024-Q1",
                 "--output", str(path))
    paragraphs = texts(Document(str(path)))
    assert "本期无相关数据。" in paragraphs and len(Document(str(path)).inline_shapes) == 0


def test_typical_cases_command(dataset, typical, tmp_path, capsys):
    path = tmp_path / "typical.docx"
    call_command("typical_cases", "--mechanism", "gaoping", "--period", "2025", "--output", str(path))
    assert capsys.readouterr().out.strip().endswith("共 1 件。")
    paragraphs = texts(Document(str(path)))
    assert paragraphs[0] == "高平市社会保险费征缴争议典型案例汇编（2025年）"
    assert "一、滞纳金争议经核实更正核定" in paragraphs
    assert any(p.startswith("【基本情况】争议类别：滞纳金加收") for p in paragraphs)
    call_command("typical_cases", "--mechanism", "gaoping", "--period", "2024", "--output", str(path))
    assert "2024年未标记典型案例。" in texts(Document(str(path)))


def test_export_ledger_streams_the_period_with_progress_and_summary(dataset, tmp_path):
    path = tmp_path / "ledger.xlsx"
    out, err = io.StringIO(), io.StringIO()
    call_command("export_ledger", "--mechanism", "gaoping", "--from", "2025-07-01",
                 "--to", "2025-09-30", "--output", str(path), stdout=out, stderr=err)
    assert out.getvalue().strip().splitlines()[-1].endswith("共 4 件。")
    assert "导出台账" in err.getvalue() and "4/4" in err.getvalue()  # tqdm on stderr
    ledger = pd.read_excel(path, header=2)
    assert sorted(ledger["受理编号"]) == sorted(c.number for c in (dataset.a, dataset.b, dataset.c,
                                                               dataset.d))
    assert not ledger["证件号码"].astype(str).str.contains(dataset.a.complainant_id_number).any()


@pytest.mark.parametrize("args,message", [
    (["--mechanism", "nowhere", "--period", "2025"], "没有标识为“nowhere”的机制"),
    (["--mechanism", "gaoping", "--period", "2025-Q9"], "格式不对"),
])
def test_commands_refuse_bad_arguments(dataset, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("analysis_report", *args, "--output", str(tmp_path / "x.docx"))


def test_export_refuses_reversed_dates(dataset, tmp_path):
    with pytest.raises(CommandError, match="结束日期不能早于开始日期"):
        call_command("export_ledger", "--mechanism", "gaoping", "--from", "2025-09-30",
                     "--to", "2025-07-01", "--output", str(tmp_path / "x.xlsx"))
