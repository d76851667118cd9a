from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import CalendarDay
from cases.services.calendar import CalendarError, calendar_import_file


class Command(BaseCommand):
    help = "从 CSV 或 JSON 文件导入（替换）某一年的工作日历，格式见 docs/calendar.md"

    def add_arguments(self, parser):
        parser.add_argument("file", help="日历文件路径（.csv 或 .json）")

    def handle(self, *args, file: str, **options):
        try:
            calendar = calendar_import_file(path=Path(file))
        except CalendarError as exc:
            raise CommandError(f"日历文件有误，未做任何修改。{exc}") from exc
        holidays = calendar.days.filter(kind=CalendarDay.Kind.HOLIDAY).count()
        workdays = calendar.days.filter(kind=CalendarDay.Kind.WORKDAY).count()
        self.stdout.write(f"已导入 {calendar.year} 年工作日历：放假 {holidays} 天，调休上班 {workdays} 天")
