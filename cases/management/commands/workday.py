import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cases.calendar import add_workdays, is_provisional_year

MAX_N = 10000  # about 40 years; more is a typo, and each year costs a query
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class Command(BaseCommand):
    help = "计算某日之后第 N 个工作日（起算日当天不计）：workday 2025-09-30 1"

    def add_arguments(self, parser):
        parser.add_argument("start", metavar="DATE", help="起算日期，如 2025-09-30")
        parser.add_argument("n", metavar="N", help="工作日数，不小于 1 的整数")

    def handle(self, *args, start: str, n: str, **options):
        start_date = _parse_date(start)
        if not n.strip().isdigit() or not 1 <= int(n) <= MAX_N:
            raise CommandError(f"工作日数“{n}”无效，应为 1 至 {MAX_N} 之间的整数。")
        try:
            result = add_workdays(start_date, int(n))
        except (OverflowError, ValueError) as exc:  # past year 9999
            raise CommandError("结果超出可计算的日期范围。") from exc
        pending = [str(year) for year in range(start_date.year, result.year + 1)
                   if is_provisional_year(year)]
        if pending:
            self.stdout.write(f"注意：{'、'.join(pending)} 年工作日历尚未录入，"
                              "结果按周末推算，仅供参考。")
        self.stdout.write(result.isoformat())


def _parse_date(text: str) -> date:
    match = _ISO.fullmatch(text.strip())
    try:
        return date(*(int(part) for part in match.groups()))
    except (AttributeError, ValueError):
        raise CommandError(f"日期“{text}”无效，应写成 2025-09-30。") from None
