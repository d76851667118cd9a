"""Official documents (公文) as records: a draft that is checked, signed, numbered and issued,
every rendering kept as a numbered version, and the templates an office uploads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cases.models import Case, DocumentKind, Mechanism, Meeting
from cases.models.history import ProjectHistoricalRecords
from docgen.storage import private_storage


class DocumentStatus(models.TextChoices):
    DRAFTED = "drafted", "拟稿"
    CHECKED = "checked", "核稿"
    SIGNED = "signed", "签发"
    ISSUED = "issued", "印发"


class Party(models.TextChoices):
    """Whom a feedback letter is addressed to (争议双方)."""

    COMPLAINANT = "complainant", "反映人"
    EMPLOYER = "employer", "用人单位"


class Document(models.Model):
    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="documents",
                                  verbose_name="机制")
    kind = models.CharField("公文种类", max_length=30, choices=DocumentKind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="documents", verbose_name="争议事项")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="documents", verbose_name="会商会议")
    period = models.CharField("通报期间", max_length=10, blank=True, help_text="如 2026-10 或 2026-Q3")
    party = models.CharField("致送对象", max_length=12, choices=Party.choices, blank=True)
    status = models.CharField("状态", max_length=10, choices=DocumentStatus.choices,
                              default=DocumentStatus.DRAFTED)
    title = models.CharField("标题", max_length=200)
    fields = models.JSONField("拟稿修改内容", default=dict, blank=True,
                              help_text="经办人修改的变量，如正文、处理意见、主送机关")
    number = models.CharField("文号", max_length=60, blank=True)
    number_year = models.PositiveSmallIntegerField("文号年份", null=True, blank=True)
    number_seq = models.PositiveIntegerField("文号序号", null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="核稿人")
    checked_at = models.DateTimeField("核稿时间", null=True, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name="签发人")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name="印发人")
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="拟稿人")
    created_at = models.DateTimeField("拟稿时间", auto_now_add=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "公文"
        verbose_name_plural = "公文"
        ordering = ["-created_at", "-id"]
        permissions = [("sign_document", "可签发公文")]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "number"], condition=~models.Q(number=""),
                                    name="uniq_document_number"),
            models.UniqueConstraint(fields=["mechanism", "kind", "number_year", "number_seq"],
                                    condition=models.Q(number_seq__isnull=False),
                                    name="uniq_document_seq"),
        ]
        indexes = [models.Index(fields=["mechanism", "kind", "status"], name="doc_mech_kind_status")]

    def __str__(self) -> str:
        return f"{self.title}（{self.number or self.get_status_display()}）"

    @property
    def latest_version(self) -> DocumentVersion | None:
        return self.versions.order_by("-version").first()

    @property
    def final_version(self) -> DocumentVersion | None:
        return self.versions.filter(is_final=True).first()


def version_path(instance: DocumentVersion, filename: str) -> str:
    # Generated names only; the download name is built from the record.
    from django.utils import timezone

    return f"documents/{timezone.localdate().year}/{uuid.uuid4().hex}.docx"


class DocumentVersion(models.Model):
    """One rendering. Rows are only ever added; an issued (final) version never changes."""

    wagtail_reference_index_ignore = True
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions",
                                 verbose_name="公文")
    version = models.PositiveIntegerField("版本")
    file = models.FileField("文件", upload_to=version_path, storage=private_storage, max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    number = models.CharField("文号", max_length=60, blank=True)
    custom_template = models.ForeignKey("CustomTemplate", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+", verbose_name="所用自定义模板")
    note = models.CharField("说明", max_length=100, blank=True)
    is_final = models.BooleanField("印发定稿", default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name="生成人")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "公文版本"
        verbose_name_plural = "公文版本"
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="uniq_document_version"),
            models.UniqueConstraint(fields=["document"], condition=models.Q(is_final=True),
                                    name="one_final_version"),
        ]

    def __str__(self) -> str:
        return f"第{self.version}版" + ("（印发定稿）" if self.is_final else "")

    def save(self, *args, **kwargs):
        if self.pk and DocumentVersion.objects.filter(pk=self.pk, is_final=True).exists():
            from docgen.errors import DocumentError

            raise DocumentError("已印发的定稿不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from docgen.errors import DocumentError

        raise DocumentError("公文版本只增不删。")


class DocumentCounter(models.Model):
    """One row per mechanism, kind and year, locked while a 文号 is taken: gap-free numbering."""

    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "文号计数器"
        verbose_name_plural = "文号计数器"
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "kind", "year"], name="uniq_document_counter")
        ]

    def __str__(self) -> str:
        return f"{self.mechanism_id}-{self.kind}-{self.year}: {self.last_value}"


def template_path(instance: CustomTemplate, filename: str) -> str:
    return f"templates/{instance.kind}/{uuid.uuid4().hex}.docx"


class CustomTemplate(models.Model):
    """An office's own .docx for one kind; the active one replaces the built-in template."""

    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="document_templates",
                                  verbose_name="机制")
    kind = models.CharField("公文种类", max_length=30, choices=DocumentKind.choices)
    file = models.FileField("模板文件", upload_to=template_path, storage=private_storage, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    variables = models.JSONField("使用的变量", default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    is_active = models.BooleanField("启用", default=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "自定义公文模板"
        verbose_name_plural = "自定义公文模板"
        ordering = ["mechanism", "kind", "-uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "kind"], condition=models.Q(is_active=True),
                                    name="one_active_template_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.original_name}"
