"""Early-warning rules and warnings, and typical cases (典型案例)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cases.mechanism_schema import WARNING_RULE_KINDS, WarningParamError, clean_warning_params
from cases.models.history import ProjectHistoricalRecords

RULE_KIND_CHOICES = [(kind, spec["label"]) for kind, spec in WARNING_RULE_KINDS.items()]


class WarningRule(models.Model):
    """One configurable rule of a mechanism; loaded from its definition file, editable here."""

    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey("cases.Mechanism", on_delete=models.CASCADE,
                                  related_name="warning_rules", verbose_name="机制")
    code = models.SlugField("代码", max_length=40)
    kind = models.CharField("规则类型", max_length=30, choices=RULE_KIND_CHOICES)
    name = models.CharField("名称", max_length=100, blank=True)
    params = models.JSONField(
        "参数", default=dict, blank=True,
        help_text="employer_repeat：min_cases、days；group_size：min_people；"
                  "category_spike：factor、weeks、min_count。未填的取默认值。")
    notify_police = models.BooleanField("同时通知公安联络员", default=False)
    is_active = models.BooleanField("启用", default=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"
        ordering = ["mechanism", "code"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="uniq_warning_rule_code"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()

    def clean(self):
        try:
            self.params = clean_warning_params(self.kind, self.params)
        except WarningParamError as exc:
            raise ValidationError({"params": f"{exc.key}：{exc.message}"}) from exc

    def values(self) -> dict[str, int | float]:
        """The params with defaults filled in for keys an admin left out."""
        return clean_warning_params(self.kind, self.params)


class Warning(models.Model):
    """A rule's finding. While unacknowledged there is at most one per rule and key, so a
    rescan updates it instead of raising the alarm twice."""

    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey("cases.Mechanism", on_delete=models.CASCADE,
                                  related_name="warnings", verbose_name="机制")
    rule = models.ForeignKey(WarningRule, on_delete=models.PROTECT, related_name="warnings",
                             verbose_name="规则")
    key = models.CharField("预警对象", max_length=100,
                           help_text="如统一社会信用代码、受理编号、类别@周次")
    cases = models.ManyToManyField("cases.Case", related_name="analytics_warnings",
                                   verbose_name="涉及事项")
    message = models.TextField("预警内容")
    created_at = models.DateTimeField("预警时间", db_index=True)
    updated_at = models.DateTimeField("最近更新")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                        null=True, blank=True, related_name="+",
                                        verbose_name="处理人")
    acknowledged_at = models.DateTimeField("处理时间", null=True, blank=True)
    note = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "key"], condition=models.Q(acknowledged_at=None),
                                    name="uniq_open_warning"),
        ]
        indexes = [models.Index(fields=["mechanism", "acknowledged_at"], name="warning_mech_ack")]

    def __str__(self) -> str:
        return f"{self.rule}：{self.key}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class TypicalCase(models.Model):
    """A settled case written up without personal data, for reviews and compilations."""

    wagtail_reference_index_ignore = True
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="typical",
                                verbose_name="争议事项")
    title = models.CharField("标题", max_length=100)
    summary = models.TextField("案情与处理经过（已脱敏）",
                               help_text="不得出现反映人姓名、证件号码、联系电话")
    lessons = models.TextField("经验启示")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name="标记人")
    marked_at = models.DateTimeField("标记时间")

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "典型案例"
        verbose_name_plural = "典型案例"
        ordering = ["-marked_at", "-id"]

    def __str__(self) -> str:
        return self.title
