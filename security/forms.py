from __future__ import annotations

from django import forms

from security.models import AuditAction


class TokenForm(forms.Form):
    token = forms.CharField(
        label="验证码", min_length=6, max_length=8, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "pattern": "[0-9]*"}),
        help_text="打开手机上的身份验证器（如“微信小程序·腾讯身份验证器”、Google Authenticator），输入显示的6位数字。",
    )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False,
                               choices=[("", "全部操作"), *AuditAction.choices])
    user = forms.CharField(label="用户名", required=False, max_length=150)
    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
