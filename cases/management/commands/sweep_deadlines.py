from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cases.services.deadlines import deadlines_sweep


class Command(BaseCommand):
    help = "期限巡检：标记临期（提前一个工作日）和超期事项，向责任单位记录催办。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按指定日期巡检（YYYY-MM-DD），默认今天")

    def handle(self, *args, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        result = deadlines_sweep(today=day)
        from django.utils import timezone

        self.stdout.write(result.summary(day or timezone.localdate()))
