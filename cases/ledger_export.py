"""Excel export in the layout of a paper 台账: a title row, the ledger columns, masked identities.

openpyxl's write-only mode streams rows to a temporary file, so memory stays flat however many
rows the filter selects.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from cases.identity import mask_identity, mask_mobile, mask_name
from cases.models import Case

COLUMNS = [
    ("序号", 6), ("受理编号", 16), ("受理时间", 17), ("受理渠道", 14), ("受理单位", 14),
    ("反映人", 10), ("类型", 8), ("证件号码", 21), ("联系电话", 13), ("涉及单位", 22),
    ("争议类别", 18), ("反映的主要内容", 40), ("诉求", 24), ("涉及人数", 8), ("分级", 10),
    ("承办单位", 14), ("状态", 12), ("当前期限", 12), ("处理方式", 12), ("处理结果", 30),
    ("反馈时间", 12), ("满意度", 8),
]
EXPORT_FIELDS = (
    "number", "accepted_at", "complainant_name", "complainant_type", "complainant_id_number",
    "complainant_phone", "employer_name", "facts", "request", "people_count", "status",
    "due_date", "settlement_method", "result", "fed_back_at", "satisfaction",
    "channel__name", "accepting_unit__short_name", "category__name", "tier__name",
    "lead_unit__short_name", "mechanism__region",
)


def ledger_rows(queryset) -> Iterable[list]:
    labels = {
        "status": dict(Case._meta.get_field("status").choices),
        "type": dict(Case._meta.get_field("complainant_type").choices),
        "method": dict(Case._meta.get_field("settlement_method").choices),
        "satisfaction": dict(Case._meta.get_field("satisfaction").choices),
    }
    rows = queryset.order_by("accepted_at", "pk").values_list(*EXPORT_FIELDS)
    for index, r in enumerate(rows.iterator(chunk_size=2000), start=1):
        (number, accepted_at, name, ctype, id_number, phone, employer, facts, request, people,
         status, due, method, result, fed_back, satisfaction, channel, accepting, category, tier,
         lead, _region) = r
        yield [
            index, number, timezone.localtime(accepted_at).strftime("%Y-%m-%d %H:%M"), channel,
            accepting, mask_name(name), labels["type"].get(ctype, ""), mask_identity(id_number),
            mask_mobile(phone), employer, category, facts, request, people, tier or "",
            lead or "", labels["status"].get(status, status), due.isoformat() if due else "",
            labels["method"].get(method, ""), result,
            timezone.localtime(fed_back).strftime("%Y-%m-%d") if fed_back else "",
            labels["satisfaction"].get(satisfaction, ""),
        ]


def write_ledger_xlsx(queryset, *, title: str, output, progress=None) -> int:
    """Write the ledger to `output` (path or file object); returns the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    for letter_index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[_column_letter(letter_index)].width = width
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(bold=True, size=16)
    title_cell.alignment = Alignment(horizontal="left")
    sheet.append([title_cell])
    sheet.append([f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}（身份证号、电话已脱敏）"])
    header = []
    for label, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in ledger_rows(queryset):
        sheet.append(row)
        count += 1
        if progress is not None:
            progress(1)
    workbook.save(output)
    return count


def ledger_xlsx_file(queryset, *, title: str):
    """A temporary file holding the workbook, rewound, for a streaming HTTP response."""
    handle = tempfile.TemporaryFile()
    write_ledger_xlsx(queryset, title=title, output=handle)
    handle.seek(0)
    return handle


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
