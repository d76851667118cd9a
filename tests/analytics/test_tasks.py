"""Large reports run on the background worker (django-tasks; the immediate backend in tests)."""

from pathlib import Path

import pandas as pd
from docx import Document

from notifications.tasks import report_build_task

TITLE_START = "高平市社会保险费征缴争议"


def test_analysis_report_is_built_by_the_worker_into_private_storage(dataset, settings):
    result = report_build_task.enqueue(name="analysis_report",
                                       params={"mechanism": "gaoping", "period": "2025-Q3", "xlsx": True})
    built = result.return_value
    docx, xlsx = Path(built["docx"]), Path(built["xlsx"])
    assert built["cases"] == 4 and built["tables"] >= 8
    assert docx.is_relative_to(Path(settings.PRIVATE_ROOT)) and docx.suffix == ".docx"
    paragraphs = [p.text for p in Document(str(docx)).paragraphs if p.text.strip()]
    assert paragraphs[0] == built["title"] and "共受理社会保险费征缴争议4件" in "".join(paragraphs)
    assert pd.read_excel(xlsx, sheet_name="按月受理量")["件数"].tolist() == [1, 1, 2]


def test_ledger_export_is_built_by_the_worker(dataset):
    result = report_build_task.enqueue(name="ledger_export",
                                       params={"mechanism": "gaoping", "start": "2025-07-01",
                                               "end": "2025-09-30"})
    built = result.return_value
    assert built["rows"] == 4 and built["title"].startswith(TITLE_START)
    sheet = pd.read_excel(built["xlsx"], header=None)
    numbers = {dataset.a.number, dataset.b.number, dataset.c.number, dataset.d.number}
    assert numbers <= set(sheet.astype(str).stack().tolist())
