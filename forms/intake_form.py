"""The intake form: a fixed core that maps to case fields, plus the extra fields staff build in
the page editor (Wagtail's FormBuilder), plus attachments, the privacy consent and the guards."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from cases.confcache import cached
from cases.identity import validate_credit_code, validate_mobile, validate_resident_id
from cases.models import ComplainantType, DisputeCategory
from forms.abuse import HONEYPOT_FIELD, TOKEN_FIELD
from forms.field_copy import fields_copied_quickly
from forms.models import IntakeFormField
from forms.uploads import AttachmentsField, upload_limits

# Staff fields are named extra_<clean_name>, so a label such as "facts" never shadows the core.
EXTRA_PREFIX = "extra_"
MAX_LENGTH = "“%(label)s”最多 %(limit_value)d 个字，现有 %(show_value)d 个字，请精简。"


def _text(label: str, *, max_length: int, required: bool = True, min_length: int | None = None,
          textarea: bool = False, help_text: str = "", **attrs) -> forms.CharField:
    messages = {"required": f"请填写{label}。",
                "max_length": MAX_LENGTH.replace("%(label)s", label)}
    if min_length:
        messages["min_length"] = f"“{label}”请至少写 {min_length} 个字，把情况说清楚。"
    widget = forms.Textarea(attrs={"rows": 5, **attrs}) if textarea else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, max_length=max_length, min_length=min_length,
                           required=required, help_text=help_text, widget=widget,
                           error_messages=messages)


class CategoryField(forms.ModelChoiceField):
    """Checks the posted category against the field's queryset (the mechanism's active
    categories) as cached per process (cases.confcache), not with a query per submission."""

    mechanism_id: int | None = None

    def to_python(self, value):
        if value in self.empty_values or self.mechanism_id is None:
            return super().to_python(value)
        active = cached(("active_categories", self.mechanism_id), lambda: list(self.queryset))
        found = next((c for c in active if str(c.pk) == str(value).strip()), None)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class CoreIntakeForm(BaseForm):
    complainant_type = forms.ChoiceField(
        label="反映人类型", choices=ComplainantType.choices, initial=ComplainantType.INDIVIDUAL,
        widget=forms.RadioSelect, error_messages={"required": "请选择您是个人还是用人单位。",
                                                  "invalid_choice": "请选择您是个人还是用人单位。"})
    complainant_name = _text("姓名或单位名称", max_length=100, autocomplete="name",
                             help_text="个人填写本人姓名；用人单位填写营业执照上的单位全称。")
    complainant_id_number = forms.CharField(
        label="身份证号或统一社会信用代码", max_length=30,
        help_text="个人填写18位居民身份证号；用人单位填写18位统一社会信用代码。",
        error_messages={"required": "请填写身份证号（个人）或统一社会信用代码（单位）。",
                        "max_length": "证件号码应为18位，请核对。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    complainant_phone = forms.CharField(
        label="手机号码", max_length=20, help_text="用于告知办理情况，不会公开。",
        error_messages={"required": "请填写手机号码。", "max_length": "请输入11位手机号码"},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
    employer_name = _text("涉及单位", max_length=100, required=False,
                          help_text="您反映的社会保险费涉及的用人单位；没有可不填。")
    employer_credit_code = forms.CharField(
        label="涉及单位的统一社会信用代码", max_length=30, required=False,
        help_text="知道的可以填写，便于核查；不清楚可不填。",
        error_messages={"max_length": "统一社会信用代码应为18位"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    category = CategoryField(
        label="争议类别", queryset=DisputeCategory.objects.none(), empty_label="请选择",
        error_messages={"required": "请选择争议类别。", "invalid_choice": "请选择争议类别。"})
    facts = _text("反映的主要内容", max_length=2000, min_length=10, textarea=True,
                  help_text="发生了什么：时间、单位、金额，已经找过哪些部门。")
    request = _text("您的诉求", max_length=1000, textarea=True, rows=3,
                    help_text="希望有关部门怎样处理。")
    people_count = forms.IntegerField(
        label="涉及人数", min_value=1, max_value=100000, initial=1,
        help_text="包括您本人在内，同样情况的大约人数。",
        error_messages={"required": "请填写涉及人数。", "invalid": "涉及人数请填写数字。",
                        "min_value": "涉及人数至少为 1。", "max_value": "涉及人数不能超过 100000。"},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    attachments = AttachmentsField(label="选择文件")
    privacy_consent = forms.BooleanField(
        label="我已阅读上面的《个人信息处理说明》，同意按说明处理我的个人信息（包括身份证号等敏感个人信息）。",
        error_messages={"required": "请阅读并勾选同意《个人信息处理说明》后再提交。"})
    # Hidden from people by CSS; bots that fill every input give themselves away.
    homepage_url = forms.CharField(label="请不要填写此项", required=False,
                                   widget=forms.TextInput(attrs={"tabindex": "-1",
                                                                 "autocomplete": "off"}))
    submission_token = forms.CharField(widget=forms.HiddenInput, required=False)

    core_groups = (
        ("反映人", ("complainant_type", "complainant_name", "complainant_id_number",
                    "complainant_phone")),
        ("争议事项", ("employer_name", "employer_credit_code", "category", "facts", "request",
                      "people_count")),
    )
    extra_fields: tuple[tuple[str, str, str], ...] = ()  # (form name, clean_name, label)
    summary_labels = {"privacy_consent": "个人信息处理说明"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        per_file, max_files, _ = upload_limits()
        self.fields["attachments"].help_text = (
            f"可不上传。JPG、PNG 图片或 PDF 文件，最多 {max_files} 个，每个不超过 "
            f"{per_file // (1024 * 1024)} MB。图片中的拍摄地点等信息会被自动去除。")
        if self.page is not None:
            mechanism_id = self.page.mechanism_id
            # Built once per configuration change: the field clones it (never evaluated here),
            # and building the filter was ~4% of a submission's CPU.
            self.fields["category"].queryset = cached(
                ("category_queryset", mechanism_id),
                lambda: DisputeCategory.objects.filter(
                    mechanism_id=mechanism_id, is_active=True).order_by("sort_order", "id"))
            self.fields["category"].mechanism_id = mechanism_id

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    @property
    def token(self) -> str:
        return self.data.get(TOKEN_FIELD, "") if self.is_bound else self.initial.get(TOKEN_FIELD, "")

    def extra_bound_fields(self):
        return [self[name] for name, _, _ in self.extra_fields]

    def sections(self):
        """(heading, bound fields) in page order: the core, staff fields, attachments."""
        out = [(title, [self[name] for name in names]) for title, names in self.core_groups]
        if self.extra_fields:
            out.append(("补充信息", self.extra_bound_fields()))
        out.append(("证明材料", [self["attachments"]]))
        return out

    def clean_complainant_phone(self):
        try:
            return validate_mobile(self.cleaned_data["complainant_phone"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="mobile") from exc

    def clean_employer_credit_code(self):
        value = self.cleaned_data.get("employer_credit_code", "").strip()
        return validate_credit_code(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("complainant_type"), cleaned.get("complainant_id_number")
        if kind and number:
            validator = (validate_resident_id if kind == ComplainantType.INDIVIDUAL
                         else validate_credit_code)
            try:
                cleaned["complainant_id_number"] = validator(number)
            except ValidationError as exc:
                self.add_error("complainant_id_number", exc.messages[0])
        return cleaned

    def extra_answers(self) -> list[dict]:
        """Staff-added fields with their labels, in editor order, as JSON-ready values."""
        return [{"name": clean_name, "label": label,
                 "value": _json_value(self.cleaned_data.get(name))}
                for name, clean_name, label in self.extra_fields]


def _json_value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)  # Decimal and anything else a custom field type might return


class IntakeFormBuilder(FormBuilder):
    """Wagtail's builder for the staff fields, layered on the fixed core."""

    def create_dropdown_field(self, field, options):
        # Wagtail preselects the first choice; a person should pick one, or none if optional.
        options["choices"] = [("", "请选择"), *self.get_formatted_field_choices(field)]
        return forms.ChoiceField(**options)

    def get_form_class(self):
        attrs, extra = {}, []
        for clean_name, field in self.formfields.items():
            attrs[EXTRA_PREFIX + clean_name] = field
            extra.append((EXTRA_PREFIX + clean_name, clean_name, str(field.label)))
        attrs["extra_fields"] = tuple(extra)
        return fields_copied_quickly(type("IntakeForm", (CoreIntakeForm,), attrs))


# page pk -> (live revision id, form class). Building the class from the FormField rows costs
# a query and ~17% of a form page request (docs: performance.md); the rows only change when
# the page is published (new revision) or edited in code (signals below clear the entry).
_FORM_CLASSES: dict[int, tuple[int | None, type[CoreIntakeForm]]] = {}


def intake_form_class(page, *, cacheable: bool = False) -> type[CoreIntakeForm]:
    if not cacheable or not page.pk:
        return IntakeFormBuilder(page.get_form_fields()).get_form_class()
    cached = _FORM_CLASSES.get(page.pk)
    if cached is not None and cached[0] == page.live_revision_id:
        return cached[1]
    form_class = IntakeFormBuilder(page.get_form_fields()).get_form_class()
    _FORM_CLASSES[page.pk] = (page.live_revision_id, form_class)
    return form_class


@receiver([post_save, post_delete], sender=IntakeFormField)
def _forget_form_class(sender, instance, **kwargs):
    _FORM_CLASSES.pop(instance.page_id, None)
