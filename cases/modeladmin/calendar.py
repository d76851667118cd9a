"""Admin for the year calendars (工作日历). Registered in cases/wagtail_hooks.py.

Staff type the State Council notice into two textareas; every save and delete goes through
cases/services/calendar.py so history, cache invalidation and deadline listeners all apply.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import DeleteView, IndexView

from cases.calendar import PACKAGE_YEARS, upcoming_provisional_years
from cases.models import CalendarDay, YearCalendar
from cases.services.calendar import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarError,
    calendar_year_delete,
    calendar_year_save,
    format_calendar_lines,
    parse_calendar_lines,
    validate_calendar_year,
)

SYNTAX_HELP = ("每行一条：起止日期加名称，如“2027-02-06 至 2027-02-12 春节”“2027-10-01~2027-10-07 国庆节”"
               "“2月6日至12日 春节”；单日如“2027-02-14 春节调休”。空行忽略。")


def provisional_note(year: int) -> str:
    return f"{year} 年工作日历尚未录入，相关时限按周末推算，仅供参考。"


class YearCalendarForm(WagtailAdminModelForm):
    holidays_text = forms.CharField(
        label="放假安排", required=False,
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": "2027-02-06 至 2027-02-12 春节"}),
        help_text=SYNTAX_HELP + "放假日期含其中的周末。")
    workdays_text = forms.CharField(
        label="调休上班", required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "2027-02-14 春节调休"}),
        help_text="需要上班的周六、周日，语法同上。")

    class Meta:
        model = YearCalendar
        fields = ["year", "source", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed: dict[str, list] = {}
        if self.instance.pk:
            # The year is the calendar's identity; a different year is a new calendar.
            self.fields["year"].disabled = True
            days = list(self.instance.days.values_list("date", "kind", "name"))
            for field, kind in (("holidays_text", CalendarDay.Kind.HOLIDAY),
                                ("workdays_text", CalendarDay.Kind.WORKDAY)):
                self.initial[field] = format_calendar_lines(
                    (day, name) for day, row_kind, name in days if row_kind == kind)
        else:
            pending = upcoming_provisional_years()
            if self.initial.get("year") is None and pending:
                self.initial["year"] = pending[0]

    def clean(self):
        cleaned = super().clean()
        year = cleaned.get("year")
        if year is None:
            return cleaned
        if not MIN_YEAR <= year <= MAX_YEAR:
            self.add_error("year", f"年份应在 {MIN_YEAR} 至 {MAX_YEAR} 之间。")
            return cleaned
        for field, key in (("holidays_text", "holidays"), ("workdays_text", "workdays")):
            try:
                self.parsed[key] = parse_calendar_lines(cleaned.get(field) or "", year=year)
            except CalendarError as exc:
                self.add_error(field, str(exc))
        if len(self.parsed) == 2:
            try:
                validate_calendar_year(year=year, **self.parsed)
            except CalendarError as exc:
                target = {"holidays": "holidays_text", "workdays": "workdays_text"}.get(exc.field)
                self.add_error(target, str(exc))
        return cleaned

    def save(self, commit: bool = True) -> YearCalendar:
        data = self.cleaned_data
        self.instance = calendar_year_save(
            year=data["year"], holidays=self.parsed["holidays"], workdays=self.parsed["workdays"],
            source=data.get("source") or "", note=data.get("note") or "",
            user=getattr(self, "for_user", None))
        return self.instance


class YearCalendarIndexView(IndexView):
    def get(self, request, *args, **kwargs):
        # The pending years have no row to show, so say it above the list.
        for year in upcoming_provisional_years():
            messages.warning(request, provisional_note(year))
        return super().get(request, *args, **kwargs)


class YearCalendarDeleteView(DeleteView):
    def confirmation_message(self):
        year = self.instance.year
        fallback = "软件包数据" if year in PACKAGE_YEARS else "周末推算（临时，仅供参考）"
        return f"确定删除 {year} 年工作日历吗？删除后该年按{fallback}计算工作日，相关时限将重新计算。"

    def delete_instance(self):
        calendar_year_delete(year=self.instance.year, user=self.request.user)


class YearCalendarAdmin(ModelAdmin):
    model = YearCalendar
    menu_label = "工作日历"
    menu_icon = "date"
    menu_order = 810
    list_display = ("year", "holiday_days", "workday_days", "coverage", "source", "updated_at")
    ordering = ("-year",)
    index_view_class = YearCalendarIndexView
    delete_view_class = YearCalendarDeleteView
    edit_handler = ObjectList([
        FieldPanel("year"),
        FieldPanel("holidays_text"),
        FieldPanel("workdays_text"),
        FieldPanel("source"),
        FieldPanel("note"),
    ], base_form_class=YearCalendarForm)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            n_holidays=Count("days", filter=Q(days__kind=CalendarDay.Kind.HOLIDAY)),
            n_workdays=Count("days", filter=Q(days__kind=CalendarDay.Kind.WORKDAY)),
        )

    def holiday_days(self, obj) -> int:
        return obj.n_holidays
    holiday_days.short_description = "放假天数"
    holiday_days.admin_order_field = "n_holidays"

    def workday_days(self, obj) -> int:
        return obj.n_workdays
    workday_days.short_description = "调休上班天数"
    workday_days.admin_order_field = "n_workdays"

    def coverage(self, obj) -> str:
        if obj.year in PACKAGE_YEARS:
            return "逐日覆盖软件包数据"
        return "以本日历为准"
    coverage.short_description = "效力"
