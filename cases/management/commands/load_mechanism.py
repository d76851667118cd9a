from django.core.management.base import BaseCommand, CommandError

from cases.mechanism_schema import MechanismFileError
from cases.services.mechanisms import mechanism_load


class Command(BaseCommand):
    help = "从定义文件创建或更新一个争议处置机制：load_mechanism gaoping|yuanjiang|文件路径"

    def add_arguments(self, parser):
        parser.add_argument("source", help="机制标识（config/mechanisms/ 下的文件名）或定义文件路径")

    def handle(self, *args, source, **options):
        try:
            result = mechanism_load(source=source)
        except MechanismFileError as exc:
            raise CommandError(f"定义文件有误，未做任何修改。{exc}") from exc
        self.stdout.write(result.summary())
