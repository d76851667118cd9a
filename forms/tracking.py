"""What the complainant may see and do with a case: lookup by number + query code, the verified
case kept in a signed cookie (never the code in a URL), the public view, and the allowed actions."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from cases.clocks import clock_label
from cases.models import Case, CaseStatus, Satisfaction
from cases.workflow import OPEN_STATUSES, TRANSITIONS, refusal

COOKIE_NAME = "onestop_tracked_case"
COOKIE_SALT = "onestop.forms.tracked-case"
SESSION_TTL = 30 * 60  # seconds of inactivity before the code must be typed again
_FORGET = ""  # request.onestop_tracked_number: "" deletes the cookie
PUBLIC_ACTIONS = ("follow_up", "object")

# Status in plain words; {forum} and {body} come from the mechanism.
PLAIN_STATUS = {
    CaseStatus.ACCEPTED: "您反映的事项已受理，正在确定由哪个部门办理。",
    CaseStatus.TRANSFERRED: "已转交承办单位，等待承办单位签收。",
    CaseStatus.IN_PROGRESS: "承办单位正在调查处理。",
    CaseStatus.COMPETENCE_DISPUTED: "正在确定由哪个部门负责办理。",
    CaseStatus.ESCALATED: "事项涉及多个部门，已提请{forum}研究。",
    CaseStatus.DELIBERATED: "{forum}已研究提出处理意见。",
    CaseStatus.OPINION_ISSUED: "已出具书面处理意见，正在落实。",
    CaseStatus.REPORTED_UP: "已提请{body}协调处理。",
    CaseStatus.SETTLED: "已办理完毕，即将向您反馈处理结果。",
    CaseStatus.FED_BACK: "已向您反馈处理结果。欢迎对办理情况作出评价；对结果有异议的，可以提出。",
    CaseStatus.FOLLOWED_UP: "已反馈处理结果，并已收到您的评价。",
    CaseStatus.OBJECTED: "您对处理结果提出了异议，我们正在处理。",
    CaseStatus.GUIDED: "已告知您申请行政复议或提起行政诉讼的途径。",
    CaseStatus.ARCHIVED: "事项已办结归档。",
    CaseStatus.MERGED: "已与您反映的相同事项合并办理。",
}
WRONG_PAIR = "受理编号或查询码不正确，请核对后重新输入。"


@dataclass(frozen=True)
class PublicDocument:
    title: str
    url: str


def feedback_letter(case: Case) -> PublicDocument | None:
    """The issued 反馈函 (Word) the complainant may download from the tracking page, or None.
    The link names no case or file: the download view serves the letter of the case proven
    in this session (``tracked_case``), so a link passed on opens nothing."""
    from docgen.selectors import issued_feedback_letter

    version = issued_feedback_letter(case=case)
    if version is None:
        return None
    number = version.number or version.document.number
    return PublicDocument(title=f"反馈函（{number}）" if number else "反馈函",
                          url=reverse("intake:feedback_letter"))


def _fold(value: str) -> str:
    # Full-width letters and digits from Chinese IMEs, stray spaces and dashes in the code.
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def case_lookup(*, number: str, code: str) -> Case | None:
    number = _fold(number)
    code = _fold(code).replace(" ", "").replace("-", "")
    case = Case.objects.filter(number=number).only("pk", "query_code").first() if number else None
    if case is None or not constant_time_compare(case.query_code, code):
        return None
    return case


# The proof "this visitor typed the number and the query code" is a cookie signed with
# SECRET_KEY and timestamped (Django's signed cookies), holding only the case number the person
# already has on the receipt; TrackingCookieMiddleware writes it. Not a session row: every
# online receipt gives one, and a database session would cost two queries per submission.
def remember_case(request, case: Case) -> None:
    request.onestop_tracked_number = case.number


def forget_case(request) -> None:
    request.onestop_tracked_number = _FORGET


def tracked_case(request) -> Case | None:
    number = request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT,
                                       max_age=SESSION_TTL)  # None if forged or expired
    if not number:
        if COOKIE_NAME in request.COOKIES:
            forget_case(request)
        return None
    case = (Case.objects.select_related("mechanism", "category", "lead_unit", "accepting_unit")
            .filter(number=number).first())
    if case is None:
        forget_case(request)
        return None
    remember_case(request, case)  # another 30 minutes from now
    return case


class TrackingCookieMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        number = getattr(request, "onestop_tracked_number", None)
        if number:
            response.set_signed_cookie(
                COOKIE_NAME, number, salt=COOKIE_SALT, max_age=SESSION_TTL, httponly=True,
                secure=settings.SESSION_COOKIE_SECURE, samesite="Lax")
        elif number == _FORGET:
            response.delete_cookie(COOKIE_NAME, samesite="Lax")
        return response


def public_actions(case: Case) -> set[str]:
    """The actions the workflow table allows the complainant ("public") right now."""
    return {name for name in PUBLIC_ACTIONS if refusal(TRANSITIONS[name], case, {"public"}) is None}


def public_view(case: Case) -> dict:
    """Everything the tracking page shows; internal notes never leave the building."""
    mechanism = case.mechanism
    plain = PLAIN_STATUS.get(case.status, case.get_status_display())
    fed_back = case.fed_back_at is not None
    return {
        "case": case,
        "status_label": case.get_status_display(),
        "status_plain": plain.format(forum=mechanism.forum_body or mechanism.forum_name,
                                     body=mechanism.escalation_body or "上级机构"),
        "unit_label": "承办单位" if case.lead_unit_id else "受理单位",
        "unit": case.lead_unit or case.accepting_unit,
        "deadline": clock_label(case) if case.status in OPEN_STATUSES and case.due_date else "",
        "events": list(case.events.filter(is_public=True).exclude(public_text="")
                       .order_by("at", "id").values("at", "public_text")),
        "result": case.result if fed_back else "",
        "feedback": case.feedback_content if fed_back and case.feedback_content != case.result
        else "",
        "settlement_method": case.get_settlement_method_display() if fed_back else "",
        "letter": feedback_letter(case),  # once issued (印发), even before the feedback is logged
        "actions": public_actions(case),
    }


class LookupForm(forms.Form):
    number = forms.CharField(
        label="受理编号", max_length=40, help_text="如 GP-2026-000123",
        error_messages={"required": "请填写受理编号。", "max_length": WRONG_PAIR},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))
    code = forms.CharField(
        label="查询码", max_length=20, help_text="受理回执上的 8 位查询码",
        error_messages={"required": "请填写查询码。", "max_length": WRONG_PAIR},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}))


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="您对办理情况是否满意", choices=Satisfaction.choices,
        widget=forms.RadioSelect, error_messages={"required": "请选择满意程度。"})
    comment = forms.CharField(
        label="意见和建议", required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "意见和建议最多 %(limit_value)d 个字，现有 %(show_value)d 个字。"})


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label="异议理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="请说明对处理结果的哪些方面有异议，以及您的理由。",
        error_messages={"required": "请说明对处理结果的异议。",
                        "max_length": "异议理由最多 %(limit_value)d 个字，现有 %(show_value)d 个字。"})
