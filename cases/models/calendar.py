"""Year calendars entered by staff as the State Council publishes them (holidays and 调休)."""

from django.db import models

from .history import ProjectHistoricalRecords


class YearCalendar(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, blank=True,
                              help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "年度工作日历"
        verbose_name_plural = "年度工作日历"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年工作日历"


class CalendarDay(models.Model):
    wagtail_reference_index_ignore = True  # no page references; skip Wagtail's per-save indexing
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        WORKDAY = "workday", "调休上班"

    calendar = models.ForeignKey(YearCalendar, on_delete=models.CASCADE, related_name="days",
                                 verbose_name="年度日历")
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=30, blank=True, help_text="如：春节、国庆节")

    history = ProjectHistoricalRecords()

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}{('（' + self.name + '）') if self.name else ''}"
