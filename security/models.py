"""The audit trail: one append-only table for security-relevant events.

State changes of cases are not repeated here: they live in django-simple-history and
cases.TimelineEvent. This table holds what those do not see — logins, reveals of personal
data, exports, document generation — and is written only through security.services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditImmutableError(Exception):
    """Raised on any attempt to change or delete audit rows outside audit_purge."""


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账号锁定"
    LOGOUT = "logout", "退出登录"
    SESSION_EXPIRED = "session_expired", "会话超时退出"
    OTP_ENROLLED = "otp_enrolled", "启用双因素认证"
    OTP_VERIFIED = "otp_verified", "双因素认证通过"
    OTP_FAILED = "otp_failed", "双因素认证失败"
    OTP_RESET = "otp_reset", "重置双因素认证"
    REVEAL = "reveal", "查看完整个人信息"
    EXPORT = "export", "导出台账"
    DOCUMENT = "document", "公文生成"
    BACKUP = "backup", "数据备份"
    RESTORE = "restore", "数据恢复"
    PURGE = "audit_purge", "清理过期审计记录"
    ANONYMISE = "anonymise", "超期案件个人信息匿名化"


class AuditEventQuerySet(models.QuerySet):
    # Bulk changes would bypass save(); refuse them here too.
    def update(self, **kwargs):
        raise AuditImmutableError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AuditImmutableError("审计记录只能追加，不能删除；过期记录请用 purge_audit 清理。")

    def _purge(self) -> int:
        """Only for security.services.audit_purge, which enforces the retention floor."""
        count, _ = super().delete()
        return count


class AuditEvent(models.Model):
    wagtail_reference_index_ignore = True  # nothing to index; keeps inserts cheap

    at = models.DateTimeField("时间", default=timezone.now, db_index=True, editable=False)
    action = models.CharField("操作", max_length=40, db_index=True)
    # The user row may be deleted later; the username snapshot keeps "who" readable.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.CharField("IP 地址", max_length=64, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    path = models.CharField("地址", max_length=300, blank=True)
    mechanism = models.ForeignKey("cases.Mechanism", verbose_name="机制", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    target_type = models.ForeignKey(ContentType, verbose_name="对象类型", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField("对象编号", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-at", "-id"]
        default_permissions = ("view",)
        permissions = [("reveal_personal_data", "查看完整个人信息（身份证号、电话）")]
        indexes = [
            models.Index(fields=["action", "at"], name="security_audit_action_at"),
            models.Index(fields=["user", "at"], name="security_audit_user_at"),
            models.Index(fields=["mechanism", "at"], name="security_audit_mech_at"),
            models.Index(fields=["target_type", "target_id"], name="security_audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '—'} {self.action_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("审计记录只能追加，不能删除。")

    @property
    def action_label(self) -> str:
        # Other apps may record actions of their own; show the code when it has no label.
        return str(dict(AuditAction.choices).get(self.action, self.action))
