from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from security.retention import FLOOR_DAYS, RetentionError, cases_anonymise
from security.services import operator_label


class Command(BaseCommand):
    help = ("将归档时间早于保存期限（默认 ONESTOP_RETENTION_DAYS）的案件匿名化：删除反映人姓名、"
            "证件号码、电话、地址、自由填写内容和附件，历史记录和办理记录一并处理。")

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, dest="days", default=None,
                            help=f"保存期限（天），不小于 {FLOOR_DAYS}；默认取 ONESTOP_RETENTION_DAYS")
        parser.add_argument("--dry-run", action="store_true", help="只列出将被匿名化的案件，不做修改")

    def handle(self, *args, days, dry_run, **options):
        try:
            result = cases_anonymise(older_than_days=days, dry_run=dry_run,
                                     actor_label=operator_label())
        except RetentionError as error:
            raise CommandError(str(error)) from error
        cutoff = f"{result.cutoff:%Y-%m-%d}"
        if dry_run:
            self.stdout.write(f"试运行：归档早于 {cutoff}（{result.older_than_days} 天）的案件共 "
                              f"{result.cases} 件将被匿名化，未做任何修改。")
            for number in result.numbers:
                self.stdout.write(f"  {number}")
            return
        self.stdout.write(self.style.SUCCESS(
            f"已匿名化归档早于 {cutoff} 的案件 {result.cases} 件：历史记录 {result.history_rows} 条、"
            f"办理记录 {result.events} 条、删除附件 {result.attachments} 个、"
            f"清除消息 {result.messages} 条。"))
        if days is None:
            self.stdout.write(f"保存期限取自 ONESTOP_RETENTION_DAYS = {settings.ONESTOP_RETENTION_DAYS}。")
