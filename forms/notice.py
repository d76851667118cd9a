"""The personal-information notice shown before submitting (个人信息保护法 第十七条: who processes,
why, what, how long, how to exercise one's rights). Written from the mechanism's configuration
unless the office wrote its own on the page."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from wagtail.rich_text import expand_db_html


def privacy_notice_html(page) -> SafeString:
    # The form shows it and the submission fingerprints it: written once per page object.
    key = (page.mechanism_id, page.privacy_notice)
    memo = page.__dict__.get("_privacy_notice_html")
    if memo is None or memo[0] != key:
        memo = (key, _notice_html(page))
        page.__dict__["_privacy_notice_html"] = memo
    return memo[1]


def _notice_html(page) -> SafeString:
    if page.privacy_notice.strip():
        return mark_safe(expand_db_html(page.privacy_notice))  # the office's own rich text
    from cases.confcache import cached

    mechanism = page.mechanism
    return cached(("default_notice", mechanism.pk), lambda: default_notice_html(mechanism))


def default_notice_html(mechanism) -> SafeString:
    units = [u.short_name for u in mechanism.units.filter(is_active=True, is_office=False)
             .order_by("sort_order", "id")]
    office = mechanism.office_name
    where = f"（设在{mechanism.office_location}）" if mechanism.office_location else ""
    items = [
        ("处理者", format_html("{}{}，代表{}受理和协调处理您反映的争议。",
                               office, where, mechanism.coordinating_body)),
        ("处理目的", "核实身份，登记、转办、调查处理您反映的社会保险费征缴争议，向您反馈结果并回访；"
                     "在不显示个人身份的前提下做统计分析。不用于其他目的。"),
        ("处理的信息", "姓名或单位名称、身份证号或统一社会信用代码、手机号码、涉及单位、反映的事项和诉求、"
                       "您上传的材料，以及您填写的其他补充信息。其中身份证号和社会保险缴费、待遇信息属于"
                       "敏感个人信息，仅用于办理本事项。"),
        ("提供范围", format_html("仅在办理本事项必需的范围内提供给本机制的成员单位（{}），不向其他单位或个人提供，"
                                 "法律、行政法规另有规定的除外。", "、".join(units) or "各成员单位")),
        ("保存期限", "事项办结后随案卷归档，按照国家档案管理规定的期限保存；期满后依法删除或匿名化处理。"),
        ("您的权利", format_html("您可以查阅、复制、更正、补充您的个人信息，或对处理方式提出意见。请通过本页公布的受理渠道"
                                 "或到{}提出，并提供受理编号。", office)),
    ]
    rows = format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((k, v) for k, v in items))
    return format_html('<dl class="notice-list">{}</dl>', rows)
