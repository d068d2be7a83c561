"""The beat schedule of the reminder sweep: every day at 08:00 Asia/Shanghai, task "rectification.reminder_sweep".
Administrators change it in the admin (django-celery-beat). Idempotent; reversing removes the periodic task (and
its crontab when nothing else uses it)."""

from django.db import migrations

from supervision.beat import schedule_operation


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0001_followup"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [schedule_operation(
        name="督办提醒扫描", task="rectification.reminder_sweep",
        crontab={"minute": "0", "hour": "8", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
                 "timezone": "Asia/Shanghai"},
        description="每天扫描整改事项时限和逾期未回复的建议书，生成督办提醒、站内通知和每日邮件摘要。")]
