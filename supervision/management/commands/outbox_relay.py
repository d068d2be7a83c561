"""manage.py outbox_relay: publish the outbox's pending messages (work queued in the database while Redis was
down) to the broker. Runs as a loop (the relay service of docker-compose.yml); `--once` for cron and tests.
Beat also runs the relay every minute (task "supervision.outbox_relay"); running both is harmless (rows are
claimed with SKIP LOCKED, and the tasks are idempotent)."""

import time

from django.core.management.base import BaseCommand

from supervision.outbox import outbox_relay, outbox_resend_unfinished


class Command(BaseCommand):
    help = "把发件箱中待发送的任务补发到消息队列（Redis中断期间积压的任务）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="补发一轮后退出（供cron和测试使用）")
        parser.add_argument("--interval", type=float, default=5.0, help="循环模式下每轮间隔秒数")
        parser.add_argument("--min-age", type=float, default=5.0,
                            help="只补发创建至少这么多秒的消息（更新的消息由提交后的即时发送处理）")
        parser.add_argument("--limit", type=int, default=200, help="每批条数")
        parser.add_argument("--queue", default=None, help="发送到指定队列而不是任务的默认路由（测试用）")
        parser.add_argument("--resend-unfinished", type=int, default=None, metavar="MINUTES",
                            help="先把已发送超过MINUTES分钟仍未完成的消息重新标记为待发送（消息队列丢失消息时手工使用）")

    def handle(self, *args, once=False, interval=5.0, min_age=5.0, limit=200, queue=None, resend_unfinished=None,
               **options):
        if resend_unfinished is not None:
            count = outbox_resend_unfinished(older_than_minutes=resend_unfinished)
            self.stdout.write(f"marked for resending: {count}")
        while True:
            counts = outbox_relay(limit=limit, min_age=min_age, queue=queue)
            if once or counts["sent"] or counts["failed"]:
                self.stdout.write(f"sent: {counts['sent']}, pending: {counts['pending']}, "
                                  f"broker {'down' if counts['failed'] else 'up'}")
            if once:
                return
            time.sleep(interval)
