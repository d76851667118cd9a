"""Typical cases (典型案例) in Word: the compilation of a period, and the report's section."""

from __future__ import annotations

from django.utils import timezone

from analytics.models import TypicalCase
from analytics.periods import Period
from analytics.word import heading1, heading2, paragraphs, report_document, save
from cases.models import Mechanism
from docgen.layout import body, fs, ht, para
from docgen.render import cn_date, cn_number


def facts_line(typical: TypicalCase) -> str:
    """What the record says about the case, without anyone's personal data."""
    case = typical.case
    parts = [f"争议类别：{case.category.name}", f"受理日期：{cn_date(case.accepted_at)}",
             f"受理渠道：{case.channel.name}"]
    if case.tier_id:
        parts.append(f"分级：{case.tier.name}")
    if case.people_count > 1:
        parts.append(f"涉及人数：{case.people_count}人")
    if case.settlement_method:
        parts.append(f"处理方式：{case.get_settlement_method_display()}")
    return "；".join(parts) + "。"


def typical_write_up(doc, typical: TypicalCase, *, heading) -> None:
    heading(doc, typical.title)
    para(doc, ht("【基本情况】"), fs(facts_line(typical)), first_line=True)
    body(doc, ht("【案情与处理经过】"))
    paragraphs(doc, typical.summary)
    body(doc, ht("【经验启示】"))
    paragraphs(doc, typical.lessons)


def typical_section(doc, cases: list[TypicalCase]) -> None:
    """The report's typical-case section, one （一）… per case."""
    if not cases:
        body(doc, "本期未标记典型案例。")
    for index, typical in enumerate(cases, start=1):
        typical_write_up(doc, typical, heading=lambda d, text, i=index:
                         heading2(d, f"（{cn_number(i)}）{text}"))


def typical_cases_docx(*, mechanism: Mechanism, period: Period, cases: list[TypicalCase],
                       output) -> int:
    """The compilation (典型案例汇编) of a period; returns the number of cases written."""
    doc = report_document(
        heading_text=f"{mechanism.region}社会保险费征缴争议典型案例汇编（{period.label}）",
        issuer=mechanism.office_name, dated=timezone.localdate())
    if cases:
        body(doc, f"为总结经验、以案促治，现将{period.label}{mechanism.name}办理的"
                  f"{len(cases)}件典型案例汇编如下。案例中已隐去当事人个人信息。")
    else:
        body(doc, f"{period.label}未标记典型案例。")
    for index, typical in enumerate(cases, start=1):
        typical_write_up(doc, typical, heading=lambda d, text, i=index:
                         heading1(d, f"{cn_number(i)}、{text}"))
    save(doc, output)
    return len(cases)
