"""One county's mechanism (机制) as data: units, categories, channels, tiers, clocks, numbering.

Everything a city configures lives here and is loaded from `config/mechanisms/*.yaml`;
no code branches on a city's name.
"""

from django.db import models

from .history import ProjectHistoricalRecords


class Mechanism(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    slug = models.SlugField("标识", max_length=50, unique=True)
    name = models.CharField("机制名称", max_length=120)
    region = models.CharField("行政区划", max_length=50, help_text="如：高平市")
    case_prefix = models.CharField(
        "案件编号前缀", max_length=10, unique=True, help_text="如 GP，编号形如 GP-2026-000123"
    )
    coordinating_body = models.CharField("统筹机构", max_length=120)
    office_name = models.CharField("办公室名称", max_length=120)
    office_location = models.CharField("办公室设在", max_length=120, blank=True)
    forum_name = models.CharField(
        "会商形式", max_length=60, help_text="如：工作专班集体商议、联席会议"
    )
    forum_body = models.CharField(
        "会商机构", max_length=60, blank=True,
        help_text="公文中提请会商的机构简称，如：工作专班、联席会议；空则用会商形式",
    )
    forum_outcome = models.CharField(
        "会商成果", max_length=120, blank=True, help_text="如：会议纪要和书面处理意见"
    )
    escalation_body = models.CharField(
        "上级处置机构", max_length=120, blank=True, help_text="可提请处理的上级机构；没有则留空"
    )
    document_issuer = models.CharField(
        "发文机关", max_length=120, help_text="公文的发文机关标志，如：高平市社会保险费征缴争议处置工作专班办公室"
    )
    basis = models.CharField("依据文件", max_length=200, blank=True)
    basis_date = models.DateField("依据文件成文日期", null=True, blank=True)
    description = models.TextField("机制简介", blank=True)
    principles = models.TextField("工作原则与要求", blank=True)
    is_active = models.BooleanField("启用", default=True)
    leaders_group = models.OneToOneField(
        "auth.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="led_mechanism",
        verbose_name="领导用户组", help_text="组内用户可查阅本机制全部案件和统计（只读）",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "争议处置机制"
        verbose_name_plural = "争议处置机制"
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def office_unit(self):
        from cases.confcache import cached

        return cached(("office_unit", self.pk), lambda: self.units.filter(is_office=True).first())


class MechanismLeader(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="leaders",
                                  verbose_name="机制")
    role = models.CharField("职务", max_length=30, help_text="如：组长、副组长、召集人、副召集人")
    name = models.CharField("姓名", max_length=30, blank=True)
    title = models.CharField("任职", max_length=120, help_text="如：市政府常务副市长")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "机制负责人"
        verbose_name_plural = "机制负责人"
        ordering = ["mechanism", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "role", "title"], name="uniq_leader_role_title")
        ]

    def __str__(self) -> str:
        return f"{self.role}：{self.name or self.title}"


class Unit(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    class Kind(models.TextChoices):
        MEMBER = "member", "成员单位"
        OFFICE = "office", "办公室"
        TOWNSHIP = "township", "乡镇（街道）工作站"

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="units",
                                  verbose_name="机制")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("单位全称", max_length=120)
    short_name = models.CharField("简称", max_length=20, help_text="用于文号和列表，如：税务、人社")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.MEMBER)
    duties = models.TextField("职责", blank=True)
    dispute_focus = models.TextField("争议处理重点", blank=True)
    liaison_name = models.CharField("联络员", max_length=30, blank=True)
    liaison_phone = models.CharField("联络员电话", max_length=30, blank=True)
    handles_cases = models.BooleanField("承办案件", default=True)
    is_office = models.BooleanField("机制办公室", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    group = models.OneToOneField(
        "auth.Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="unit",
        verbose_name="用户组", help_text="组内用户即本单位工作人员",
    )

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "成员单位"
        verbose_name_plural = "成员单位"
        ordering = ["mechanism", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="uniq_unit_code"),
            models.UniqueConstraint(
                fields=["mechanism"], condition=models.Q(is_office=True), name="one_office_per_mechanism"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DisputeCategory(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="categories",
                                  verbose_name="机制")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("争议事项", max_length=80)
    description = models.TextField("说明", blank=True)
    default_lead_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="默认牵头单位",
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "争议类别"
        verbose_name_plural = "争议类别"
        ordering = ["mechanism", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="uniq_category_code")
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    class Kind(models.TextChoices):
        ONLINE = "online", "线上"
        OFFLINE = "offline", "线下"

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="channels",
                                  verbose_name="机制")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("渠道名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    contact = models.CharField("号码或地点", max_length=120, blank=True)
    description = models.TextField("说明", blank=True)
    has_ticket_number = models.BooleanField(
        "有工单号", default=False, help_text="热线、平台转来的事项带有对方系统的工单号"
    )
    is_public = models.BooleanField("在门户公布", default=True)
    is_online_form = models.BooleanField("网上受理表单", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "受理渠道"
        verbose_name_plural = "受理渠道"
        ordering = ["mechanism", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "code"], name="uniq_channel_code")
        ]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    class Route(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", "当场办结"
        LEAD_UNIT = "lead_unit", "主责部门限时办结"
        JOINT = "joint", "多部门联合专案处置"
        DELIBERATION = "deliberation", "专班集体商议/联席会议"

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="tiers",
                                  verbose_name="机制")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("分级名称", max_length=40)
    description = models.TextField("适用情形", blank=True)
    route = models.CharField("处理方式", max_length=20, choices=Route.choices)
    may_escalate = models.BooleanField("可提请上级机构", default=False)
    feedback_methods = models.CharField(
        "反馈方式", max_length=120, blank=True, help_text="如：口头、电话、短信"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "争议分级"
        verbose_name_plural = "争议分级"
        ordering = ["mechanism", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["mechanism", "code"], name="uniq_tier_code")]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    """Clocked stages of a case. Which run, and how long, is the tier's configuration."""

    TRANSFER = "transfer", "转办"
    SETTLE = "settle", "办结"
    DELIBERATE = "deliberate", "集体商议"
    FEEDBACK = "feedback", "反馈"


class ClockStart(models.TextChoices):
    """The event a stage's clock starts from."""

    ACCEPTED = "accepted", "受理之日"
    TRANSFERRED = "transferred", "转办之日"
    RECEIVED = "received", "承办单位签收之日"
    ESCALATED = "escalated", "提请会商之日"
    SETTLED = "settled", "办结之日"


class TierDeadline(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="deadlines",
                             verbose_name="分级")
    stage = models.CharField("环节", max_length=20, choices=Stage.choices)
    workdays = models.PositiveSmallIntegerField("时限（工作日）")
    starts_from = models.CharField("起算事件", max_length=20, choices=ClockStart.choices)
    warn_before = models.PositiveSmallIntegerField("提前预警（工作日）", default=1)
    note = models.CharField("依据", max_length=200, blank=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "环节时限"
        verbose_name_plural = "环节时限"
        ordering = ["tier", "id"]
        constraints = [models.UniqueConstraint(fields=["tier", "stage"], name="uniq_tier_stage")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}：{self.get_starts_from_display()}起{self.workdays}个工作日"


class DocumentKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "受理回执"
    TRANSFER_NOTICE = "transfer_notice", "转办单"
    MINUTES = "minutes", "会议纪要"
    HANDLING_OPINION = "handling_opinion", "书面处理意见"
    FEEDBACK_LETTER = "feedback_letter", "反馈函"
    SUPERVISION_NOTICE = "supervision_notice", "通报"


class DocumentNumbering(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="numberings",
                                  verbose_name="机制")
    kind = models.CharField("公文种类", max_length=30, choices=DocumentKind.choices)
    pattern = models.CharField(
        "文号格式", max_length=60, help_text="用 {year} 和 {seq}，如：高征争转〔{year}〕{seq}号"
    )
    issuer = models.CharField("发文机关标志", max_length=120, blank=True,
                              help_text="留空则用机制的发文机关")

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "文号规则"
        verbose_name_plural = "文号规则"
        ordering = ["mechanism", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["mechanism", "kind"], name="uniq_numbering_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.pattern}"

    def format(self, *, year: int, seq: int) -> str:
        return self.pattern.format(year=year, seq=seq)
