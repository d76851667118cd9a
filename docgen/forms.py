"""Admin forms: the clerk's edits of a draft, template upload, and the office's own documents."""

from __future__ import annotations

from django import forms

from cases.models import Mechanism, Meeting
from docgen.contexts import editable_fields
from docgen.variables import KIND_LABELS

LONG_FIELDS = {"opinion", "result", "meeting.attendees", "meeting.absentees", "meeting.observers", "cc"}


def lookup(context: dict, dotted: str):
    value = context
    for part in dotted.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def shown(value) -> str:
    if isinstance(value, list):
        return "，".join(str(v) for v in value)
    return "" if value is None else str(value)


class DraftEditForm(forms.Form):
    """One field per editable variable; a field left equal to the record's value stays live
    (follows the record on regeneration) instead of being frozen as an edit."""

    def __init__(self, *args, kind: str, defaults: dict, fields_now: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.defaults = defaults
        for name, description in editable_fields(kind).items():
            current = fields_now.get(name, lookup(defaults, name))
            widget = forms.Textarea(attrs={"rows": 6 if name in ("opinion", "result") else 2}) \
                if name in LONG_FIELDS else forms.TextInput()
            self.fields[name] = forms.CharField(label=description, required=False, initial=shown(current),
                                                widget=widget, max_length=5000)

    def overrides(self) -> dict:
        """{name: value} for edits, {name: None} for fields put back to the record's value."""
        out = {}
        for name, value in self.cleaned_data.items():
            out[name] = None if value.strip() == shown(lookup(self.defaults, name)).strip() else value
        return out


class TemplateUploadForm(forms.Form):
    mechanism = forms.ModelChoiceField(label="机制", queryset=Mechanism.objects.none())
    kind = forms.ChoiceField(label="公文种类", choices=list(KIND_LABELS.items()))
    file = forms.FileField(label="模板文件（.docx）")

    def __init__(self, *args, mechanisms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms
        if mechanisms.count() == 1:
            self.fields["mechanism"].initial = mechanisms.first()


class MinutesDraftForm(forms.Form):
    meeting = forms.ModelChoiceField(label="已召开的会商会议", queryset=Meeting.objects.none())

    def __init__(self, *args, mechanisms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (Meeting.objects.filter(mechanism__in=mechanisms,
                                                                  status=Meeting.Status.HELD)
                                           .order_by("-scheduled_at"))


class SupervisionDraftForm(forms.Form):
    mechanism = forms.ModelChoiceField(label="机制", queryset=Mechanism.objects.none())
    period = forms.CharField(label="通报期间", max_length=10, help_text="月份写 2026-10，季度写 2026-Q3")

    def __init__(self, *args, mechanisms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mechanism"].queryset = mechanisms
        if mechanisms.count() == 1:
            self.fields["mechanism"].initial = mechanisms.first()
