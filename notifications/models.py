"""The outbox (rows are the queue) and the editable message texts."""

import uuid
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.template import Engine, TemplateSyntaxError


class Event(models.TextChoices):
    """Message kinds the case engine produces. Other callers may enqueue any short string."""

    ACKNOWLEDGEMENT = "acknowledgement", "受理告知（反映人）"
    TRANSFER = "transfer", "转办通知（承办单位）"
    REMINDER = "reminder", "期限提醒（责任单位）"
    RESULT = "result", "结果告知（反映人）"
    SURVEY = "survey", "回访评价邀请（反映人）"


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class Outbox(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败（已停止重试）"
        SKIPPED = "skipped", "无需发送"

    wagtail_reference_index_ignore = True
    event = models.CharField("消息类型", max_length=40, db_index=True)
    channel = models.CharField("发送方式", max_length=20)
    recipient = models.CharField("接收人", max_length=200)
    subject = models.CharField("标题", max_length=200, blank=True)
    body = models.TextField("内容")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="notifications", verbose_name="争议事项")
    dedupe_key = models.CharField("去重键", max_length=150, blank=True)
    # Sent with every attempt so a gateway can drop a resend after a crash between send and mark.
    idempotency_key = models.UUIDField("幂等键", default=uuid.uuid4, unique=True, editable=False)

    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间")
    locked_until = models.DateTimeField("占用至", null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.TextField("最近错误", blank=True)
    provider_message_id = models.CharField("网关消息编号", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "消息发送队列"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="uniq_outbox_dedupe_key"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel}（{self.get_status_display()}）"


# Plain text (SMS, e-mail body): no HTML escaping of case numbers or unit names.
_PLAIN_TEXT = Engine(autoescape=False)


@lru_cache(maxsize=256)  # a template is its text; compiling it was ~3% of an online submission
def compile_template(text: str):
    return _PLAIN_TEXT.from_string(text)


class MessageTemplate(models.Model):
    wagtail_reference_index_ignore = True
    event = models.CharField("消息类型", max_length=40, choices=Event.choices)
    channel = models.CharField("发送方式", max_length=20, choices=Channel.choices,
                               default=Channel.SMS)
    subject = models.CharField("邮件标题", max_length=200, blank=True,
                               help_text="仅电子邮件使用，可用模板变量")
    body = models.TextField(
        "内容", help_text="Django 模板语法，如 {{ number }}、{{ query_code }}、{{ tracking_url }}；"
                         "可用变量见 docs/notifications.md")
    is_active = models.BooleanField("启用", default=True, help_text="停用后不再生成此类消息")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="uniq_message_template"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()}（{self.get_channel_display()}）"

    def clean(self):
        for field in ("subject", "body"):
            try:
                compile_template(getattr(self, field))
            except TemplateSyntaxError as exc:
                raise ValidationError({field: f"模板语法错误：{exc}"}) from exc
