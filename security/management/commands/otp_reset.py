from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from security.otp import totp_device_reset
from security.services import operator_label


class Command(BaseCommand):
    help = "删除某账号的双因素认证设备（如手机遗失）；该账号下次登录后可重新启用。操作记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有账号 {username}。")
        count = totp_device_reset(user=user, actor_label=operator_label())
        self.stdout.write(self.style.SUCCESS(f"已删除 {username} 的 {count} 个验证设备。"))
