"""API keys: one per outside system (a hotline's ticket system, an Open311 client)."""

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    wagtail_reference_index_ignore = True
    name = models.CharField("调用方名称", max_length=60, unique=True,
                            help_text="如：12345热线工单系统；写入办理记录")
    mechanism = models.ForeignKey("cases.Mechanism", on_delete=models.PROTECT, related_name="api_keys",
                                  verbose_name="机制")
    channel = models.ForeignKey("cases.Channel", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="api_keys", verbose_name="限定渠道",
                                help_text="设定后只能登记、查看该渠道的事项")
    # The key is shown once; only its sha256 is kept. The prefix finds the row without a scan.
    prefix = models.CharField("前缀", max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    rate_per_minute = models.PositiveIntegerField("每分钟请求上限", default=120)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="创建人")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="吊销人")

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def may_touch(self, case) -> bool:
        """A key reaches only its mechanism's cases, and its channel's when it is bound to one."""
        if case.mechanism_id != self.mechanism_id:
            return False
        return self.channel_id is None or case.channel_id == self.channel_id
