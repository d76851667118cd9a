import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from notifications.services import SendResult, outbox_send_due


class Command(BaseCommand):
    help = "发送消息队列中到期的通知。默认循环运行（收到 SIGTERM/SIGINT 后发完当前一批再退出）；--once 只运行一轮。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只发送一轮后退出（适合 cron）")
        parser.add_argument("--interval", type=float, default=5.0, help="空闲时的轮询间隔（秒），默认 5")
        parser.add_argument("--limit", type=int, default=100, help="每轮最多取出的消息数，默认 100")

    def handle(self, *args, once=False, interval=5.0, limit=100, **options):
        stop = threading.Event()
        total = SendResult()

        def request_stop(signum, frame):
            stop.set()

        previous = {}
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, request_stop)
        try:
            self._loop(stop=stop, once=once, interval=interval, limit=limit, total=total)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(total.summary())

    def _loop(self, *, stop, once, interval, limit, total):
        while True:
            if not connection.in_atomic_block:  # a long-lived loop must not keep a dead connection
                close_old_connections()
            result = outbox_send_due(limit=limit)
            for field in ("claimed", "sent", "retrying", "failed", "skipped"):
                setattr(total, field, getattr(total, field) + getattr(result, field))
            if result.claimed and not once:
                self.stdout.write(result.summary())
            if once or stop.is_set():
                break
            if result.claimed < limit:  # a full batch means more are waiting: go on at once
                stop.wait(interval)
            if stop.is_set():
                break
