"""Deliberations (专班集体商议 / 联席会议) and the decisions they take per case."""

from django.conf import settings
from django.db import models

from .case import Case
from .history import ProjectHistoricalRecords
from .mechanism import Mechanism


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "已安排"
        HELD = "held", "已召开"
        CANCELLED = "cancelled", "已取消"

    wagtail_reference_index_ignore = True
    mechanism = models.ForeignKey(Mechanism, on_delete=models.PROTECT, related_name="meetings",
                                  verbose_name="机制")
    title = models.CharField("会议名称", max_length=120)
    scheduled_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=120)
    chair = models.CharField("主持人", max_length=60)
    attendees = models.TextField("出席", blank=True, help_text="单位及姓名，用“，”分隔")
    absentees = models.TextField("请假", blank=True)
    observers = models.TextField("列席", blank=True)
    summary = models.TextField("会议概述", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "会商会议"
        verbose_name_plural = "会商会议"
        ordering = ["-scheduled_at"]

    def __str__(self) -> str:
        return f"{self.title}（{self.scheduled_at:%Y-%m-%d}）"


class MeetingItem(models.Model):
    wagtail_reference_index_ignore = True
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meeting_items")
    sort_order = models.PositiveSmallIntegerField(default=0)
    decision = models.TextField("会商意见", blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "会商事项"
        verbose_name_plural = "会商事项"
        ordering = ["meeting", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="uniq_meeting_case")]

    def __str__(self) -> str:
        return f"{self.meeting_id}·{self.case_id}"
