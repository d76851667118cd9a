"""`make run` calls this after migrate: demo content, idempotent, and an admin login printed last."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from home.demo import demo_home_page


def generate_password(length: int = 14) -> str:
    # Three of four character classes, as 等保 asks; no look-alike characters.
    alphabet = {
        "lower": "abcdefghijkmnpqrstuvwxyz",
        "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
        "digit": "23456789",
        "symbol": "#%+=@",
    }
    chars = [secrets.choice(group) for group in alphabet.values()]
    pool = "".join(alphabet.values())
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class Command(BaseCommand):
    help = "载入演示内容（可重复运行，不会重复创建），并创建或重置管理员账号。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="", help="不填则随机生成")
        parser.add_argument("--cases", type=int, default=60, help="演示案件数（已有案件时不再追加）")

    def handle(self, *args, username, password, cases, **options):
        with transaction.atomic():
            demo_home_page()
        for step in self.demo_steps():
            step(self, cases=cases)
        password = password or generate_password()
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.gov.cn"}
        )
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(self.style.SUCCESS("演示内容已就绪。"))
        self.stdout.write("后台地址：http://127.0.0.1:8000/admin/")
        self.stdout.write(f"管理员账号：{username}  密码：{password}")

    def demo_steps(self):
        """Later capabilities append their own idempotent demo loaders here."""
        return [load_mechanisms_step, portal_pages_step, seed_demo_step]


def load_mechanisms_step(command, **_):
    from django.apps import apps

    if apps.is_installed("cases") and _has_command("load_mechanism"):
        for slug in ("gaoping", "yuanjiang"):
            call_command("load_mechanism", slug, stdout=command.stdout)


def portal_pages_step(command, **_):
    """The intake form and policy page of each mechanism need the mechanisms loaded first."""
    from home.demo import demo_portal_pages

    demo_portal_pages()


def seed_demo_step(command, cases=0, **_):
    """`cases` is the total: split evenly (rounded up) over the active mechanisms, since
    seed_demo counts per mechanism. seed_demo tops up, so a second run adds nothing."""
    if cases <= 0 or not _has_command("seed_demo"):
        return
    from cases.models import Mechanism

    mechanisms = Mechanism.objects.filter(is_active=True).count()
    if mechanisms:
        call_command("seed_demo", cases=-(-cases // mechanisms), stdout=command.stdout,
                     stderr=command.stderr)


def _has_command(name: str) -> bool:
    from django.core.management import get_commands

    return name in get_commands()
