from django.core.management.base import BaseCommand
from django.utils import timezone

from analytics.services import warnings_scan

from ._common import date_arg, mechanism_arg


class Command(BaseCommand):
    help = "按预警规则扫描争议事项，生成预警（可重复运行，不会重复预警）。"

    def add_arguments(self, parser):
        parser.add_argument("--mechanism", help="只扫描该机制（标识，如 gaoping）；默认全部")
        parser.add_argument("--date", help="以该日期为“今天”（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        mechanism = mechanism_arg(options["mechanism"]) if options["mechanism"] else None
        today = date_arg(options["date"], "--date") if options["date"] else timezone.localdate()
        result = warnings_scan(mechanism=mechanism, today=today)
        self.stdout.write(result.summary(today))
