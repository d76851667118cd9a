"""One small form per workflow transition on the case page; `perform` calls the one service."""

from __future__ import annotations

from django import forms

from cases.models import (
    Case,
    Extension,
    FeedbackMethod,
    Satisfaction,
    SettlementMethod,
    Tier,
    Unit,
)
from cases.services import closing, handling
from cases.services.closing import REMEDY_GUIDANCE


def _units(case: Case):
    return Unit.objects.filter(mechanism_id=case.mechanism_id, is_active=True, handles_cases=True)


class TransitionForm(forms.Form):
    submit_label = "确定"

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def perform(self, actor):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class NoteForm(TransitionForm):
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReceiveForm(NoteForm):
    submit_label = "签收"

    def perform(self, actor):
        return handling.case_receive(case=self.case, actor=actor, note=self.cleaned_data["note"])


class ReasonForm(TransitionForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class ClassifyForm(TransitionForm):
    submit_label = "保存分级"
    tier = forms.ModelChoiceField(label="分级", queryset=Tier.objects.none())
    reason = forms.CharField(label="分级理由", required=False, max_length=300)
    risk_group = forms.BooleanField(label="群体性风险", required=False)
    risk_public_opinion = forms.BooleanField(label="舆情风险", required=False)
    risk_safety = forms.BooleanField(label="人身安全风险", required=False)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"tier": case.tier_id, "reason": case.tier_reason,
                                      "risk_group": case.risk_group,
                                      "risk_public_opinion": case.risk_public_opinion,
                                      "risk_safety": case.risk_safety})
        super().__init__(*args, case=case, **kwargs)
        self.fields["tier"].queryset = Tier.objects.filter(mechanism_id=case.mechanism_id)

    def perform(self, actor):
        d = self.cleaned_data
        return handling.case_classify(case=self.case, actor=actor, tier=d["tier"], reason=d["reason"],
                                      risk_group=d["risk_group"], risk_public_opinion=d["risk_public_opinion"],
                                      risk_safety=d["risk_safety"])


class TransferForm(TransitionForm):
    submit_label = "转办"
    lead_unit = forms.ModelChoiceField(label="承办（牵头）单位", queryset=Unit.objects.none())
    co_units = forms.ModelMultipleChoiceField(label="协办单位", required=False, queryset=Unit.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label="转办说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"lead_unit": case.category.default_lead_unit_id})
        super().__init__(*args, case=case, **kwargs)
        self.fields["lead_unit"].queryset = _units(case)
        self.fields["co_units"].queryset = _units(case)

    def perform(self, actor):
        d = self.cleaned_data
        return handling.case_transfer(case=self.case, actor=actor, lead_unit=d["lead_unit"],
                                      co_units=list(d["co_units"]), note=d["note"])


class PassOnForm(ReasonForm):
    submit_label = "移交"
    to_unit = forms.ModelChoiceField(label="移交给", queryset=Unit.objects.none())
    field_order = ["to_unit", "reason"]

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["to_unit"].queryset = _units(case).exclude(pk=case.lead_unit_id)

    def perform(self, actor):
        return handling.case_pass_on(case=self.case, actor=actor, to_unit=self.cleaned_data["to_unit"],
                                     reason=self.cleaned_data["reason"])


class DisputeCompetenceForm(ReasonForm):
    submit_label = "提请办公室裁定"

    def perform(self, actor):
        return handling.case_dispute_competence(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class DecideCompetenceForm(TransitionForm):
    submit_label = "裁定"
    unit = forms.ModelChoiceField(label="由哪个单位办理", queryset=Unit.objects.none())
    note = forms.CharField(label="裁定理由", required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["unit"].queryset = _units(case)

    def perform(self, actor):
        return handling.case_decide_competence(case=self.case, actor=actor, unit=self.cleaned_data["unit"],
                                               note=self.cleaned_data["note"])


class ExtensionRequestForm(ReasonForm):
    submit_label = "申请延期"
    workdays = forms.IntegerField(label="延长工作日", min_value=1, max_value=30)
    field_order = ["workdays", "reason"]

    def perform(self, actor):
        handling.case_extension_request(case=self.case, actor=actor, workdays=self.cleaned_data["workdays"],
                                        reason=self.cleaned_data["reason"])
        return self.case


class ExtensionDecisionForm(TransitionForm):
    submit_label = "审批"
    extension = forms.ModelChoiceField(label="延期申请", queryset=Extension.objects.none())
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "批准"), ("0", "不批准")],
                                     coerce=lambda v: v == "1")
    note = forms.CharField(label="审批意见", required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["extension"].queryset = case.extensions.filter(status=Extension.Status.PENDING)

    def perform(self, actor):
        d = self.cleaned_data
        return handling.case_extension_decide(extension=d["extension"], actor=actor, approve=d["approve"],
                                              note=d["note"])


class EscalateForm(ReasonForm):
    submit_label = "提请会商"

    def perform(self, actor):
        return handling.case_escalate(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class DecisionForm(TransitionForm):
    submit_label = "记录会商意见"
    decision = forms.CharField(label="会商意见", widget=forms.Textarea(attrs={"rows": 4}))

    def perform(self, actor):
        return handling.case_record_decision(case=self.case, actor=actor, decision=self.cleaned_data["decision"])


class OpinionForm(TransitionForm):
    submit_label = "出具书面处理意见"
    opinion = forms.CharField(label="书面处理意见", widget=forms.Textarea(attrs={"rows": 5}))
    lead_unit = forms.ModelChoiceField(label="落实单位", queryset=Unit.objects.none())

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"opinion": case.opinion, "lead_unit": case.lead_unit_id})
        super().__init__(*args, case=case, **kwargs)
        self.fields["lead_unit"].queryset = _units(case)

    def perform(self, actor):
        return handling.case_issue_opinion(case=self.case, actor=actor, opinion=self.cleaned_data["opinion"],
                                           lead_unit=self.cleaned_data["lead_unit"])


class ReportUpForm(ReasonForm):
    submit_label = "提请上级处理"

    def perform(self, actor):
        return handling.case_report_up(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class SettleForm(TransitionForm):
    submit_label = "办结"
    method = forms.ChoiceField(label="处理方式", choices=SettlementMethod.choices)
    result = forms.CharField(label="处理结果", widget=forms.Textarea(attrs={"rows": 4}))
    agreement = forms.CharField(label="调解/和解协议内容", required=False,
                                widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="调解、和解结案时必填；优先运用和解、调解等柔性手段。")

    def perform(self, actor):
        d = self.cleaned_data
        return handling.case_settle(case=self.case, actor=actor, method=d["method"], result=d["result"],
                                    agreement=d["agreement"])


class SettleOnSpotForm(TransitionForm):
    submit_label = "当场办结并答复"
    method = forms.ChoiceField(label="处理方式", choices=SettlementMethod.choices,
                               initial=SettlementMethod.EXPLANATION)
    result = forms.CharField(label="处理结果（即答复内容）", widget=forms.Textarea(attrs={"rows": 3}))
    feedback_method = forms.ChoiceField(label="答复方式", choices=FeedbackMethod.choices)

    def perform(self, actor):
        d = self.cleaned_data
        return closing.case_settle_on_spot(case=self.case, actor=actor, result=d["result"],
                                           feedback_method=d["feedback_method"], method=d["method"])


class FeedbackForm(TransitionForm):
    submit_label = "记录反馈"
    method = forms.ChoiceField(label="反馈方式", choices=FeedbackMethod.choices)
    content = forms.CharField(label="向反映人反馈的内容", widget=forms.Textarea(attrs={"rows": 4}))
    employer_content = forms.CharField(label="向涉及单位反馈的内容", required=False,
                                       widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"content": case.result})
        super().__init__(*args, case=case, **kwargs)

    def perform(self, actor):
        d = self.cleaned_data
        return closing.case_feedback(case=self.case, actor=actor, method=d["method"], content=d["content"],
                                     employer_content=d["employer_content"])


class FollowUpForm(TransitionForm):
    submit_label = "记录回访"
    satisfaction = forms.ChoiceField(label="满意度", choices=Satisfaction.choices)
    comment = forms.CharField(label="回访意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def perform(self, actor):
        return closing.case_follow_up(case=self.case, actor=actor, satisfaction=self.cleaned_data["satisfaction"],
                                      comment=self.cleaned_data["comment"])


class ObjectForm(ReasonForm):
    submit_label = "登记异议"

    def perform(self, actor):
        return closing.case_object(case=self.case, actor=actor, reason=self.cleaned_data["reason"])


class RehandleForm(TransitionForm):
    submit_label = "重新办理"
    note = forms.CharField(label="重新办理要求", widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = forms.ModelChoiceField(label="承办单位", queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"lead_unit": case.lead_unit_id})
        super().__init__(*args, case=case, **kwargs)
        self.fields["lead_unit"].queryset = _units(case)

    def perform(self, actor):
        service = closing.case_rehandle if self.case.status == "objected" else closing.case_reopen
        return service(case=self.case, actor=actor, note=self.cleaned_data["note"],
                       lead_unit=self.cleaned_data["lead_unit"])


class GuideForm(TransitionForm):
    submit_label = "记录已告知"
    guidance = forms.CharField(label="告知内容", initial=REMEDY_GUIDANCE,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def perform(self, actor):
        return closing.case_guide(case=self.case, actor=actor, guidance=self.cleaned_data["guidance"])


class ArchiveForm(TransitionForm):
    submit_label = "归档"
    archive_number = forms.CharField(label="档案号", required=False, help_text="留空则自动编号")

    def perform(self, actor):
        return closing.case_archive(case=self.case, actor=actor, archive_number=self.cleaned_data["archive_number"])


class MergeForm(TransitionForm):
    submit_label = "合并"
    into = forms.CharField(label="合并到（受理编号）", max_length=30)

    def clean_into(self):
        number = self.cleaned_data["into"].strip().upper()
        target = Case.objects.filter(number=number, mechanism_id=self.case.mechanism_id).first()
        if target is None:
            raise forms.ValidationError("本机制中没有这个受理编号。")
        return target

    def perform(self, actor):
        return closing.case_merge(case=self.case, actor=actor, into=self.cleaned_data["into"])


class LinkForm(MergeForm):
    submit_label = "关联"
    into = forms.CharField(label="关联的事项（受理编号）", max_length=30)

    def perform(self, actor):
        return closing.case_link(case=self.case, actor=actor, other=self.cleaned_data["into"])


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "link": LinkForm,
    "classify": ClassifyForm,
    "settle_on_spot": SettleOnSpotForm,
    "transfer": TransferForm,
    "receive": ReceiveForm,
    "pass_on": PassOnForm,
    "dispute_competence": DisputeCompetenceForm,
    "decide_competence": DecideCompetenceForm,
    "request_extension": ExtensionRequestForm,
    "decide_extension": ExtensionDecisionForm,
    "escalate_at_intake": EscalateForm,
    "escalate": EscalateForm,
    "record_decision": DecisionForm,
    "issue_opinion": OpinionForm,
    "report_up": ReportUpForm,
    "settle": SettleForm,
    "feedback": FeedbackForm,
    "follow_up": FollowUpForm,
    "object": ObjectForm,
    "rehandle": RehandleForm,
    "reopen": RehandleForm,
    "guide": GuideForm,
    "archive": ArchiveForm,
    "merge": MergeForm,
}
