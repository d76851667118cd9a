"""Staff intake for hotline, window and petition cases: register, see possible duplicates,
classify, and settle on the spot or transfer — on one screen, in one transaction."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import (
    Channel,
    ComplainantType,
    DisputeCategory,
    FeedbackMethod,
    Mechanism,
    Tier,
    Unit,
)
from cases.policy import case_roles, membership
from cases.selectors import possible_duplicates
from cases.services.closing import case_settle_on_spot
from cases.services.handling import case_transfer
from cases.services.intake import case_register

ACTIONS = [("register", "仅登记（稍后分级转办）"), ("settle_on_spot", "当场办结并答复"), ("transfer", "登记并转办")]


class StaffIntakeForm(forms.Form):
    channel = forms.ModelChoiceField(label="受理渠道", queryset=Channel.objects.none())
    channel_ticket = forms.CharField(label="热线/转办工单号", required=False, max_length=60)
    accepting_unit = forms.ModelChoiceField(label="受理单位", queryset=Unit.objects.none())
    complainant_type = forms.ChoiceField(label="反映人类型", choices=ComplainantType.choices,
                                         widget=forms.RadioSelect, initial=ComplainantType.INDIVIDUAL)
    complainant_name = forms.CharField(label="姓名或单位名称", max_length=100)
    complainant_id_number = forms.CharField(label="身份证号或统一社会信用代码", required=False, max_length=20)
    complainant_phone = forms.CharField(label="联系电话", required=False, max_length=20)
    complainant_address = forms.CharField(label="联系地址", required=False, max_length=200)
    employer_name = forms.CharField(label="涉及单位", required=False, max_length=100)
    employer_credit_code = forms.CharField(label="涉及单位统一社会信用代码", required=False, max_length=20)
    category = forms.ModelChoiceField(label="争议类别", queryset=DisputeCategory.objects.none())
    facts = forms.CharField(label="反映的主要内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    request = forms.CharField(label="诉求", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    people_count = forms.IntegerField(label="涉及人数", min_value=1, max_value=100000, initial=1)
    tier = forms.ModelChoiceField(label="分级", queryset=Tier.objects.none(), required=False,
                                  help_text="不选则按一般事项处理，可稍后调整")
    tier_reason = forms.CharField(label="分级理由", required=False, max_length=300)
    risk_group = forms.BooleanField(label="群体性风险", required=False)
    risk_public_opinion = forms.BooleanField(label="舆情风险", required=False)
    risk_safety = forms.BooleanField(label="人身安全风险", required=False)
    action = forms.ChoiceField(label="处理", choices=ACTIONS, widget=forms.RadioSelect, initial="register")
    result = forms.CharField(label="当场办结的处理结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    feedback_method = forms.ChoiceField(label="答复方式", required=False,
                                        choices=[("", "—")] + list(FeedbackMethod.choices))
    lead_unit = forms.ModelChoiceField(label="转办给（承办单位）", queryset=Unit.objects.none(), required=False)
    co_units = forms.ModelMultipleChoiceField(label="协办单位", queryset=Unit.objects.none(), required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, mechanism: Mechanism, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.mechanism = mechanism
        self.fields["channel"].queryset = mechanism.channels.filter(is_active=True, is_online_form=False)
        units = mechanism.units.filter(is_active=True)
        if "office" in case_roles(Actor.staff(user), None, mechanism=mechanism):
            self.fields["accepting_unit"].queryset = units
        else:
            self.fields["accepting_unit"].queryset = units.filter(pk__in=membership(user).unit_ids)
        own = self.fields["accepting_unit"].queryset.first()
        self.fields["accepting_unit"].initial = own.pk if own else None
        self.fields["category"].queryset = mechanism.categories.filter(is_active=True)
        self.fields["tier"].queryset = mechanism.tiers.all()
        handling = units.filter(handles_cases=True)
        self.fields["lead_unit"].queryset = handling
        self.fields["co_units"].queryset = handling

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "settle_on_spot":
            if not (data.get("result") or "").strip():
                self.add_error("result", "当场办结须填写处理结果。")
            if not data.get("feedback_method"):
                self.add_error("feedback_method", "请选择答复方式。")
        if action == "transfer" and not data.get("lead_unit"):
            self.add_error("lead_unit", "请选择承办单位。")
        channel = data.get("channel")
        if channel and channel.has_ticket_number and not (data.get("channel_ticket") or "").strip():
            self.add_error("channel_ticket", f"“{channel.name}”转来的事项请填写工单号。")
        return data


def _mechanisms_for(user) -> list[Mechanism]:
    m = membership(user)
    queryset = Mechanism.objects.filter(is_active=True)
    if not m.is_superuser:
        mechanism_ids = set(Unit.objects.filter(pk__in=m.unit_ids).values_list("mechanism_id", flat=True))
        queryset = queryset.filter(pk__in=mechanism_ids)
    return list(queryset.order_by("slug"))


def staff_intake(request):
    mechanisms = _mechanisms_for(request.user)
    if not mechanisms:
        raise PermissionDenied("您不属于任何成员单位，不能登记争议。")
    chosen = request.GET.get("mechanism") or request.POST.get("mechanism")
    mechanism = next((m for m in mechanisms if m.slug == chosen), mechanisms[0])
    form = StaffIntakeForm(request.POST or None, mechanism=mechanism, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = possible_duplicates(
            mechanism=mechanism, complainant_id_number=data["complainant_id_number"].strip().upper(),
            complainant_phone=data["complainant_phone"].strip(),
            employer_credit_code=data["employer_credit_code"].strip().upper(), category=data["category"])
        if request.POST.get("submit") != "check":
            try:
                case = _register(request, mechanism, data)
            except CaseError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, f"已登记，受理编号 {case.number}，查询码 {case.query_code}。")
                return redirect("cases_case_modeladmin_inspect", instance_pk=case.pk)
    return TemplateResponse(request, "cases/admin/intake.html", {
        "form": form, "mechanism": mechanism, "mechanisms": mechanisms, "duplicates": duplicates,
        "checked": request.method == "POST" and request.POST.get("submit") == "check",
    })


@transaction.atomic
def _register(request, mechanism: Mechanism, data: dict):
    actor = Actor.staff(request.user)
    case = case_register(
        mechanism=mechanism, channel=data["channel"], actor=actor, channel_ticket=data["channel_ticket"],
        accepting_unit=data["accepting_unit"], complainant_type=data["complainant_type"],
        complainant_name=data["complainant_name"], complainant_id_number=data["complainant_id_number"],
        complainant_phone=data["complainant_phone"], complainant_address=data["complainant_address"],
        employer_name=data["employer_name"], employer_credit_code=data["employer_credit_code"],
        category=data["category"], facts=data["facts"], request=data["request"],
        people_count=data["people_count"], tier=data["tier"], tier_reason=data["tier_reason"],
        risk_group=data["risk_group"], risk_public_opinion=data["risk_public_opinion"],
        risk_safety=data["risk_safety"],
    )
    if data["action"] == "settle_on_spot":
        case = case_settle_on_spot(case=case, actor=actor, result=data["result"],
                                   feedback_method=data["feedback_method"])
    elif data["action"] == "transfer":
        case = case_transfer(case=case, actor=actor, lead_unit=data["lead_unit"],
                             co_units=list(data["co_units"]))
    return case
