"""The transactional outbox (supervision/outbox.py) and the beat schedule of its relay: every minute, task
"supervision.outbox_relay" publishes what a broker outage left pending. Written by hand: makemigrations would also
pick up the concurrent audit-chain change (0006_audit_chain)."""

from django.db import migrations, models

from supervision.beat import schedule_operation


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_tally_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task", models.CharField(max_length=200, verbose_name="任务")),
                ("args", models.JSONField(blank=True, default=list, verbose_name="位置参数")),
                ("kwargs", models.JSONField(blank=True, default=dict, verbose_name="关键字参数")),
                ("dedup_key", models.CharField(max_length=200, unique=True, verbose_name="去重键")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="完成时间")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="发送次数")),
                ("last_error", models.TextField(blank=True, verbose_name="最近错误")),
            ],
            options={
                "verbose_name": "发件箱消息",
                "verbose_name_plural": "发件箱消息",
                "ordering": ["id"],
                "indexes": [models.Index(fields=["sent_at", "created_at"], name="outbox_pending")],
            },
        ),
        schedule_operation(
            name="发件箱补发", task="supervision.outbox_relay",
            crontab={"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
                     "timezone": "Asia/Shanghai"},
            description="每分钟把Redis中断期间积压在发件箱中的任务补发到消息队列（已发送的不再重复发送）。"),
    ]
