from __future__ import annotations

from django import forms

from analytics.periods import Period, PeriodError, current_quarter, period_parse, period_range


class FilterForm(forms.Form):
    """Mechanism and period, from the query string; an empty period means this quarter."""

    mechanism = forms.ChoiceField(label="机制")
    period = forms.CharField(label="统计期间", required=False, max_length=30,
                             help_text="如 2026-07（月）、2026-Q3（季度）、2026（年）",
                             widget=forms.TextInput(attrs={"placeholder": "2026-Q3", "size": 12}))
    start = forms.DateField(label="或自", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, mechanisms, today):
        data = data.copy()
        if not data.get("mechanism") and mechanisms:
            data["mechanism"] = mechanisms[0].slug
        super().__init__(data)
        self.today = today
        self.fields["mechanism"].choices = [(m.slug, m.name) for m in mechanisms]

    def clean(self) -> dict:
        data = super().clean()
        start, end, text = data.get("start"), data.get("end"), data.get("period", "")
        try:
            if start or end:
                if not (start and end):
                    raise PeriodError("自定义区间请同时填写开始和结束日期。")
                data["resolved"] = period_range(start, end)
            elif text:
                data["resolved"] = period_parse(text)
            else:
                data["resolved"] = current_quarter(self.today)
        except PeriodError as exc:
            self.add_error("period", exc.message)
        return data

    @property
    def resolved(self) -> Period | None:
        return self.cleaned_data.get("resolved") if self.is_valid() else None


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="写明核实情况和采取的措施，如：已约谈该单位负责人，责令限期补缴。")


class TypicalCaseForm(forms.Form):
    title = forms.CharField(label="标题", max_length=100,
                            help_text="概括争议焦点和处理方式，如：某公司职工滞纳金争议经调解化解")
    summary = forms.CharField(label="案情与处理经过（已脱敏）", widget=forms.Textarea(attrs={"rows": 8}),
                              help_text="用“王某”“某公司”等称谓，不写姓名、证件号码、联系电话。")
    lessons = forms.CharField(label="经验启示", widget=forms.Textarea(attrs={"rows": 5}))
