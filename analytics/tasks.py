"""Large reports on the background worker: `report_build_task.enqueue(name="analysis_report",
params={"mechanism": "gaoping", "period": "2026-Q3"})`. Files land under PRIVATE_ROOT/reports,
outside the web root, since they hold case data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from analytics.periods import period_parse, period_range
from analytics.report import analysis_report_docx, figures_xlsx, report_title
from analytics.selectors import typical_cases_in
from analytics.statistics import cases_in_period, figures_compute
from cases.ledger_export import write_ledger_xlsx
from cases.models import Mechanism
from notifications.tasks import report_builder_register


def reports_dir() -> Path:
    path = Path(settings.PRIVATE_ROOT) / "reports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stem(mechanism: Mechanism, kind: str, label: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
    return f"{mechanism.slug}-{kind}-{safe}-{stamp}"


@report_builder_register("analysis_report")
def analysis_report_build(*, mechanism: str, period: str, xlsx: bool = False) -> dict:
    """The 复盘 report of `manage.py analysis_report`, built by the worker."""
    owner = Mechanism.objects.get(slug=mechanism)
    span = period_parse(period)
    figures = figures_compute(mechanism=owner, period=span)
    stem = _stem(owner, "analysis", period)
    docx = reports_dir() / f"{stem}.docx"
    counts = analysis_report_docx(figures=figures, typical=typical_cases_in(mechanism=owner, period=span),
                                  output=docx)
    result = {"title": report_title(figures), "docx": str(docx), "cases": figures.total, **counts}
    if xlsx:
        sheet_file = reports_dir() / f"{stem}.xlsx"
        result["xlsx"], result["sheets"] = str(sheet_file), figures_xlsx(figures=figures, output=sheet_file)
    return result


@report_builder_register("ledger_export")
def ledger_export_build(*, mechanism: str, start: str, end: str) -> dict:
    """The paper-layout 台账 of `manage.py export_ledger`, streamed to a file by the worker."""
    owner = Mechanism.objects.get(slug=mechanism)
    span = period_range(date.fromisoformat(start), date.fromisoformat(end))
    title = f"{owner.region}社会保险费征缴争议受理台账（{span.label}）"
    output = reports_dir() / f"{_stem(owner, 'ledger', f'{start}_{end}')}.xlsx"
    rows = write_ledger_xlsx(cases_in_period(owner, span), title=title, output=output)
    return {"title": title, "xlsx": str(output), "rows": rows}
