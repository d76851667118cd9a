"""The case (争议事项): one record per dispute, from acceptance to archive."""

from django.conf import settings
from django.db import models

from cases.storage import private_storage
from security.fields import BlindIndexField, EncryptedTextField

from .history import CaseHistoricalRecords, ProjectHistoricalRecords
from .mechanism import Channel, DisputeCategory, Mechanism, Stage, Tier, Unit


class CaseStatus(models.TextChoices):
    ACCEPTED = "accepted", "已受理"
    TRANSFERRED = "transferred", "已转办待签收"
    IN_PROGRESS = "in_progress", "办理中"
    COMPETENCE_DISPUTED = "competence_disputed", "管辖争议待裁定"
    ESCALATED = "escalated", "已提请会商"
    DELIBERATED = "deliberated", "已会商"
    OPINION_ISSUED = "opinion_issued", "已出具书面处理意见"
    REPORTED_UP = "reported_up", "已提请上级处理"
    SETTLED = "settled", "已办结"
    FED_BACK = "fed_back", "已反馈"
    FOLLOWED_UP = "followed_up", "已回访"
    OBJECTED = "objected", "有异议"
    GUIDED = "guided", "已告知救济途径"
    ARCHIVED = "archived", "已归档"
    MERGED = "merged", "已合并"


class ComplainantType(models.TextChoices):
    INDIVIDUAL = "individual", "个人"
    EMPLOYER = "employer", "用人单位"


class SettlementMethod(models.TextChoices):
    EXPLANATION = "explanation", "政策解释（当场说明）"
    MEDIATION = "mediation", "调解"
    RECONCILIATION = "reconciliation", "和解"
    CORRECTION = "correction", "更正核定"
    BACK_PAYMENT = "back_payment", "补缴"
    REFUND = "refund", "退费"
    DECISION = "decision", "作出行政决定"
    COURT_ENFORCEMENT = "court_enforcement", "移送法院强制执行"
    OTHER = "other", "其他"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class FeedbackMethod(models.TextChoices):
    ORAL = "oral", "口头"
    PHONE = "phone", "电话"
    SMS = "sms", "短信"
    WRITTEN = "written", "书面"


class DeadlineState(models.TextChoices):
    NONE = "none", "无时限"
    NORMAL = "normal", "正常"
    WARNED = "warned", "临期"
    OVERDUE = "overdue", "超期"


class CaseCounter(models.Model):
    """One row per mechanism and year, locked while a number is taken: gap-free numbering."""

    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mechanism", "year"], name="uniq_case_counter")]

    def __str__(self) -> str:
        return f"{self.mechanism_id}-{self.year}: {self.last_value}"


class Case(models.Model):
    wagtail_reference_index_ignore = True

    number = models.CharField("受理编号", max_length=30, unique=True)
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="cases",
                                  verbose_name="机制")
    year = models.PositiveSmallIntegerField("年度")
    # The registration inserts the row already numbered (cases.numbering.case_insert_numbered).
    seq = models.PositiveIntegerField("年度序号")
    query_code = models.CharField("查询码", max_length=12)

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+", verbose_name="受理渠道")
    channel_ticket = models.CharField("渠道工单号", max_length=60, blank=True)
    accepting_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="accepted_cases",
                                       verbose_name="受理单位")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name="受理人")
    accepted_at = models.DateTimeField("受理时间")  # indexed by case_accepted_units below

    complainant_type = models.CharField("反映人类型", max_length=12, choices=ComplainantType.choices)
    complainant_name = models.CharField("反映人", max_length=100)
    # Encrypted at rest (security.fields); exact search goes through the *_hash blind indexes,
    # which pre_save fills and which must stay declared after their source fields.
    complainant_id_number = EncryptedTextField(
        "证件号码", max_length=18, blank=True, help_text="个人填居民身份证号，单位填统一社会信用代码",
        blind_index="complainant_id_number_hash")
    complainant_id_number_hash = BlindIndexField("证件号码盲索引")
    complainant_phone = EncryptedTextField("联系电话", max_length=20, blank=True,
                                           blind_index="complainant_phone_hash")
    complainant_phone_hash = BlindIndexField("联系电话盲索引")
    complainant_address = models.CharField("联系地址", max_length=200, blank=True)
    employer_name = models.CharField("涉及单位", max_length=100, blank=True)
    employer_credit_code = models.CharField("涉及单位统一社会信用代码", max_length=18, blank=True,
                                            db_index=True)

    category = models.ForeignKey(DisputeCategory, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="争议类别")
    facts = models.TextField("反映的主要内容")
    request = models.TextField("诉求", blank=True)
    people_count = models.PositiveIntegerField("涉及人数", default=1)
    extra = models.JSONField("补充信息", default=dict, blank=True)

    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name="分级")
    tier_reason = models.CharField("分级理由", max_length=300, blank=True)
    lead_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="led_cases", verbose_name="牵头（承办）单位")
    co_units = models.ManyToManyField(Unit, blank=True, related_name="co_handled_cases",
                                      verbose_name="协办单位")
    status = models.CharField("状态", max_length=24, choices=CaseStatus.choices,
                              default=CaseStatus.ACCEPTED)

    transferred_at = models.DateTimeField("转办时间", null=True, blank=True)
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    escalated_at = models.DateTimeField("提请会商时间", null=True, blank=True)
    settled_at = models.DateTimeField("办结时间", null=True, blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    followed_up_at = models.DateTimeField("回访时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    # Stage deadlines (working-day clocks), stored so lists filter and sort on indexes.
    transfer_due = models.DateField("转办期限", null=True, blank=True)
    settle_due = models.DateField("办结期限", null=True, blank=True)
    deliberate_due = models.DateField("会商期限", null=True, blank=True)
    feedback_due = models.DateField("反馈期限", null=True, blank=True)
    running_stage = models.CharField("计时环节", max_length=20, choices=Stage.choices, blank=True)
    due_date = models.DateField("当前期限", null=True, blank=True)
    warn_date = models.DateField("预警日期", null=True, blank=True)
    due_provisional = models.BooleanField("期限待定（日历未录入）", default=False)

    settlement_method = models.CharField("处理方式", max_length=24, choices=SettlementMethod.choices,
                                         blank=True)
    settlement_agreement = models.TextField("调解/和解协议", blank=True)
    result = models.TextField("处理结果", blank=True)
    settled_by_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name="办结单位")
    opinion = models.TextField("书面处理意见", blank=True)
    feedback_method = models.CharField("反馈方式", max_length=12, choices=FeedbackMethod.choices,
                                       blank=True)
    feedback_content = models.TextField("反馈内容", blank=True)
    employer_feedback = models.TextField("向涉及单位反馈", blank=True)
    satisfaction = models.CharField("回访满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    follow_up_comment = models.TextField("回访意见", blank=True)
    objection_reason = models.TextField("异议理由", blank=True)
    remedy_guidance = models.TextField("救济途径告知", blank=True)
    archive_number = models.CharField("档案号", max_length=40, blank=True)

    risk_group = models.BooleanField("群体性风险", default=False)
    risk_public_opinion = models.BooleanField("舆情风险", default=False)
    risk_safety = models.BooleanField("人身安全风险", default=False)

    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="merged_cases", verbose_name="合并至")
    related_cases = models.ManyToManyField("self", blank=True, symmetrical=True,
                                           verbose_name="关联案件")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # The blind indexes are derived and only searched on live rows: history keeps the ciphertext.
    # History is read by case id (and date, user); its copies of the other indexes were written
    # with every change and never read.
    history = CaseHistoricalRecords(
        m2m_fields=[co_units],
        excluded_fields=["updated_at", "complainant_id_number_hash", "complainant_phone_hash"],
        no_db_index=["number", "employer_credit_code", "mechanism", "channel", "accepting_unit",
                     "accepted_by", "category", "tier", "lead_unit", "settled_by_unit",
                     "duplicate_of"])

    class Meta:
        verbose_name = "争议事项"
        verbose_name_plural = "争议事项"
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "year", "seq"], name="uniq_case_seq"),
            models.UniqueConstraint(
                fields=["channel", "channel_ticket"], condition=~models.Q(channel_ticket=""),
                name="uniq_channel_ticket",
            ),
        ]
        indexes = [
            # A status filter of the office's ledger: page (in list order) and capped count in one range.
            models.Index(fields=["mechanism", "status", "accepted_at", "id"], name="case_mech_status"),
            # The statistics read a period of one mechanism from the index alone (PostgreSQL's
            # index-only scan; SQLite ignores INCLUDE): the rows are ~1.4 kB, the entries ~0.1.
            models.Index(fields=["mechanism", "accepted_at"], name="case_stats",
                         include=["id", "category", "channel", "tier", "status", "accepting_unit",
                                  "lead_unit", "settled_by_unit", "satisfaction",
                                  "transferred_at", "settled_at", "fed_back_at", "transfer_due",
                                  "settle_due"]),
            models.Index(fields=["mechanism", "accepted_at"], name="case_stats_parties",
                         include=["complainant_id_number_hash", "complainant_type",
                                  "employer_credit_code"]),
            # Stages completed in a period (supervision), whenever the case was accepted.
            models.Index(fields=["mechanism", "transferred_at"], name="case_transferred",
                         include=["accepting_unit", "transfer_due"]),
            models.Index(fields=["mechanism", "settled_at"], name="case_settled",
                         include=["settled_by_unit", "lead_unit", "settle_due"]),
            models.Index(fields=["mechanism", "fed_back_at"], name="case_fed_back",
                         include=["accepting_unit", "feedback_due"]),
            models.Index(fields=["lead_unit", "status"], name="case_lead_status"),
            models.Index(fields=["accepting_unit", "status"], name="case_accepting_status"),
            # A unit clerk's ledger: its cases newest first, without walking the whole mechanism.
            models.Index(fields=["lead_unit", "accepted_at"], name="case_lead_accepted"),
            models.Index(fields=["accepting_unit", "accepted_at"], name="case_accepting_accepted"),
            # Newest first across mechanisms, and a unit clerk's "accepted or led by us" read
            # from the index alone: page 500 of the tax office 84 → 8 ms at 1M cases.
            models.Index(fields=["accepted_at", "id"], name="case_accepted_units",
                         include=["accepting_unit", "lead_unit"]),
            models.Index(fields=["due_date"], name="case_due_date"),
            models.Index(fields=["complainant_id_number_hash"], name="case_complainant_id_hash"),
            models.Index(fields=["complainant_phone_hash"], name="case_complainant_phone_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name if self.category_id else ''}"


class TimelineEvent(models.Model):
    """One row per transition: who, when, what. Public rows are shown to the complainant."""

    wagtail_reference_index_ignore = True
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", db_index=True)
    action = models.CharField("操作", max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name="操作人")
    actor_label = models.CharField("操作人（显示）", max_length=100)
    unit = models.ForeignKey(Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name="单位")
    from_status = models.CharField("原状态", max_length=24, blank=True)
    to_status = models.CharField("新状态", max_length=24, blank=True)
    note = models.TextField("说明", blank=True)
    is_public = models.BooleanField("对反映人公开", default=False)
    public_text = models.CharField("公开说明", max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Generated names only: the uploader's file name is kept in the row, never on disk.
    import uuid

    return f"attachments/{instance.case.year}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    wagtail_reference_index_ignore = True
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, storage=private_storage, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Extension(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    wagtail_reference_index_ignore = True
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    workdays = models.PositiveSmallIntegerField("延长工作日")
    reason = models.TextField("延期理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage"], condition=models.Q(status="pending"),
                                    name="one_pending_extension_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}延长{self.workdays}个工作日（{self.get_status_display()}）"


class Reminder(models.Model):
    """催办: written by the deadline sweep, once per case, stage, level and due date."""

    class Level(models.TextChoices):
        WARNING = "warning", "临期提醒"
        OVERDUE = "overdue", "超期催办"

    wagtail_reference_index_ignore = True
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    level = models.CharField("类型", max_length=10, choices=Level.choices)
    due_date = models.DateField("期限")
    created_at = models.DateTimeField("催办时间", auto_now_add=True)

    class Meta:
        verbose_name = "催办记录"
        verbose_name_plural = "催办记录"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "stage", "level", "due_date"], name="uniq_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.get_stage_display()}（{self.due_date}）"
