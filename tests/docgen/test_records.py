"""Every kind built from real records of both mechanisms, signed, issued and read back."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from cases.identity import mask_mobile
from docgen.contexts import context_build, mask_inline
from docgen.services import document_check, document_draft, document_issue, document_sign
from docgen.variables import KIND_LABELS, VARIABLES, top_level_fields
from tests.docgen.conftest import read_docx
from tests.docgen.test_templates import (
    DATE,
    HOSTILE,
    _has_page_field,
    approx_mm,
    east_asia,
    paragraphs,
    text_of,
)

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
PREFIX = {
    "gaoping": {"acknowledgement": "高征争受", "transfer_notice": "高征争转", "minutes": "高征争纪",
                "handling_opinion": "高征争意", "feedback_letter": "高征争函",
                "supervision_notice": "高征争通"},
    "yuanjiang": {"acknowledgement": "沅征争受", "transfer_notice": "沅征争交", "minutes": "沅征争纪",
                  "handling_opinion": "沅征争意", "feedback_letter": "沅征争函",
                  "supervision_notice": "沅征争通"},
}


def subject(records, kind: str) -> dict:
    if kind == "minutes":
        return {"meeting": records.meeting}
    if kind == "supervision_notice":
        return {"mechanism": records.mechanism, "period": records.period}
    if kind == "handling_opinion":
        return {"case": records.decided}
    return {"case": records.settled}


def issued(records, kind: str, **extra):
    office = records.office
    doc = document_draft(kind=kind, actor=office, **subject(records, kind), **extra)
    doc = document_check(document=doc, actor=office)
    doc = document_sign(document=doc, actor=office)
    return document_issue(document=doc, actor=office)


@pytest.mark.parametrize("kind", list(KIND_LABELS))
def test_contexts_hold_exactly_the_contract(records, kind):
    ctx = context_build(kind=kind, **subject(records, kind))
    assert set(ctx) == set(top_level_fields(kind))
    for name in VARIABLES[kind]:
        if "." in name and "[]" not in name:
            head, field = name.split(".")
            assert field in ctx[head], name


@pytest.mark.parametrize("kind", list(KIND_LABELS))
def test_every_kind_is_issued_with_its_number_dates_and_page_numbers(records, kind):
    doc = issued(records, kind)
    number = f"{PREFIX[records.mechanism.slug][kind]}〔{YEAR}〕1号"
    assert doc.number == number
    word = read_docx(doc.final_version)
    text = text_of(word)
    assert number in text and "签发后编号" not in text
    assert "None" not in text and "{{" not in text
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in text
    assert DATE.search(text) and not re.search(r"年0\d月|月0\d日", text)
    # the issuer of the right mechanism
    holder = word.sections[0].first_page_header if kind == "feedback_letter" else word
    assert records.mechanism.region in text_of(holder)
    # GB/T 9704 page numbers: odd right, even left, a PAGE field each
    assert word.settings.odd_and_even_pages_header_footer
    sec = word.sections[0]
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                          (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        assert _has_page_field(footer) and footer.paragraphs[0].alignment == align
    if "printed_date_cn" in VARIABLES[kind]:
        assert f"{today.year}年{today.month}月{today.day}日印发" in text


def test_transfer_notice_names_lead_unit_deadline_signer_and_masks_identity(records):
    doc = issued(records, "transfer_notice")
    case = records.settled
    word = read_docx(doc.final_version)
    table = next(t for t in word.tables if t.cell(0, 0).text == "受理编号")
    rows = {r.cells[0].text: r.cells[1].text for r in table.rows}
    assert rows["牵头单位"] == case.lead_unit.name
    due = case.settle_due
    assert rows["办结时限"] == f"{due.year}年{due.month}月{due.day}日前（5个工作日）"
    assert rows["签发人"] == "签发人"  # the signer's full name
    assert rows["证件号码"] != case.complainant_id_number and "*" in rows["证件号码"]
    assert rows["联系电话"] == mask_mobile(case.complainant_phone)
    text = text_of(word)
    assert case.complainant_id_number not in text and case.complainant_phone not in text


def test_transfer_notice_before_signing_for_counts_from_the_transfer(records):
    from cases.calendar import add_workdays
    from cases.services import handling

    fresh = handling.case_transfer(case=_new_case(records), actor=records.clerk,
                                   lead_unit=records.mechanism.units.get(code="hrss"))
    assert fresh.settle_due is None  # not yet signed for: no stored settle clock
    ctx = context_build(kind="transfer_notice", case=fresh)
    due = add_workdays(timezone.localdate(fresh.transferred_at), 5)
    assert ctx["case"]["deadline_cn"] == f"{due.year}年{due.month}月{due.day}日"
    assert ctx["case"]["deadline_workdays"] == 5


def _new_case(records):
    from cases.services.intake import case_register

    mechanism = records.mechanism
    return case_register(mechanism=mechanism, channel=mechanism.channels.get(code="hotline-12345"),
                         actor=records.clerk, complainant_type="individual",
                         complainant_name="李四", category=mechanism.categories.get(code="late-fee"),
                         facts="单位欠缴。")


def test_hostile_text_from_a_real_case_is_printed_literally(records, register):
    hostile_facts = f"{HOSTILE} {{{{ case.number }}}} {{% for x in y %}} A&B <c>"
    case = register(records.mechanism, records.clerk, facts=hostile_facts,
                    request="{% raw %}<退还>&{{ 1 + 1 }}")
    doc = document_draft(kind="acknowledgement", actor=records.office, case=case)
    from cases.services import handling

    case = handling.case_transfer(case=case, actor=records.clerk,
                                  lead_unit=records.mechanism.units.get(code="tax"))
    notice = document_draft(kind="transfer_notice", actor=records.office, case=case)
    text = text_of(read_docx(notice.latest_version))
    assert hostile_facts in text
    assert "{% raw %}<退还>&{{ 1 + 1 }}" in text
    assert doc.latest_version.size > 0


def test_the_employer_letter_never_shows_the_complainant(records):
    case = records.settled
    employer = issued(records, "feedback_letter", party="employer")
    complainant = issued(records, "feedback_letter", party="complainant")
    assert employer.number.endswith("1号") and complainant.number.endswith("2号")

    word = read_docx(employer.final_version)
    text = text_of(word) + text_of(word.sections[0].first_page_header)
    assert f"{case.employer_name}：" in text
    for secret in (case.complainant_name, case.complainant_id_number, case.complainant_phone,
                   mask_mobile(case.complainant_phone), case.complainant_phone[-4:]):
        assert secret not in text, secret
    assert "本办于" in text and "涉及你单位的" in text and "你（单位）于" not in text
    assert "滞纳金由贵单位承担" in text

    text = text_of(read_docx(complainant.final_version))
    assert f"{case.complainant_name}：" in text and "你（单位）于" in text
    assert f"向{case.mechanism.region}人民政府申请行政复议" in text


def test_employer_letter_refused_when_the_complainant_is_the_employer(records, register):
    from docgen.errors import DocumentError

    case = register(records.mechanism, records.clerk, complainant_type="employer",
                    complainant_name="某公司", complainant_id_number="")
    with pytest.raises(DocumentError):
        context_build(kind="feedback_letter", case=case, party="employer")


def test_ids_and_phones_in_free_text_are_masked():
    text = mask_inline("身份证110105194912310021，电话13812345678，代码91350100M000100Y43。")
    assert "110105194912310021" not in text and "13812345678" not in text
    assert "138****5678" in text and "91350100M000100Y43" not in text


def test_minutes_list_each_case_with_summary_and_decision(records):
    ctx = context_build(kind="minutes", meeting=records.meeting)
    meeting = ctx["meeting"]
    assert meeting["title"] == f"{records.mechanism.forum_name}2026年第1次会议纪要"
    assert meeting["absentees"].startswith("秦国庆") and meeting["observers"] == ""
    [item] = meeting["items"]
    assert item["case_number"] == records.decided.number
    assert "由人社局核定补缴金额" in item["decision"] and len(item["summary"]) < 140
    word = read_docx(issued(records, "minutes").final_version)
    assert "列席：" not in text_of(word) and "请假：秦国庆" in text_of(word)


def test_handling_opinion_cites_the_signed_minutes(records):
    minutes = issued(records, "minutes")
    ctx = context_build(kind="handling_opinion", case=records.decided)
    assert ctx["minutes_number"] == minutes.number
    assert ctx["meeting_date_cn"] == "2026年11月20日"
    assert "由人社局核定补缴金额" in ctx["opinion"]
    assert ctx["recipient"] == records.decided.lead_unit.name


def test_edits_override_the_record(records):
    from docgen.services import document_edit

    doc = document_draft(kind="handling_opinion", actor=records.office, case=records.decided,
                         overrides={"opinion": "第一段\n第二段", "cc": "甲单位，乙单位"})
    text = text_of(read_docx(doc.latest_version))
    assert "抄送：甲单位，乙单位。" in text
    assert any(p.text == "第二段" for p in paragraphs(read_docx(doc.latest_version)))
    doc = document_edit(document=doc, actor=records.office, overrides={"cc": None})
    assert "cc" not in doc.fields and "opinion" in doc.fields


@pytest.mark.parametrize("kind", list(KIND_LABELS))
def test_issued_documents_keep_the_gbt9704_page_fonts_and_number(records, kind):
    """The record's own text (Chinese names, units, long facts) does not disturb the format."""
    doc = issued(records, kind)
    word = read_docx(doc.final_version)
    sec = word.sections[0]
    assert approx_mm(sec.page_width, 210) and approx_mm(sec.page_height, 297)
    for margin, mm in ((sec.top_margin, 37), (sec.bottom_margin, 35),
                       (sec.left_margin, 28), (sec.right_margin, 26)):
        assert approx_mm(margin, mm, 0.1)
    normal = word.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    runs = [r for p in paragraphs(word) for r in p.runs if r.text.strip()]
    assert runs and all(east_asia(r) for r in runs), "a run without w:eastAsia"
    ctx = context_build(kind=kind, **subject(records, kind))
    title = ctx["meeting"]["title"] if kind == "minutes" else ctx["title"]
    para = next(p for p in paragraphs(word) if p.text == title)
    run = next(r for r in para.runs if r.text.strip())
    assert run.font.size == Pt(22) and east_asia(run) == "方正小标宋简体"
    assert re.fullmatch(r"\S+〔\d{4}〕[1-9]\d*号", doc.number)


@pytest.mark.parametrize("kind", ["transfer_notice", "handling_opinion", "supervision_notice"])
def test_the_forum_is_the_mechanisms_own(records, kind):
    """高平 refers cases to its 工作专班, 沅江 to its 联席会议 — from the mechanism file."""
    forum = {"gaoping": "工作专班", "yuanjiang": "联席会议"}[records.mechanism.slug]
    assert records.mechanism.forum_body == forum
    doc = document_draft(kind=kind, actor=records.office, **subject(records, kind))
    text = text_of(read_docx(doc.latest_version))
    assert f"提请{forum}" in text
    if records.mechanism.slug == "yuanjiang":
        assert "工作专班" not in text
    if kind == "handling_opinion":
        assert f"{forum}对该事项进行了会商" in text
