"""The beat schedule of the reminder sweep: every day at 08:00 Asia/Shanghai, task "rectification.reminder_sweep".
Administrators change it in the admin (django-celery-beat). Idempotent; reversing removes the periodic task (and
its crontab when nothing else uses it)."""

from django.db import migrations
from django.utils import timezone

TASK_NAME = "督办提醒扫描"
TASK = "rectification.reminder_sweep"
CRONTAB = {"minute": "0", "hour": "8", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*",
           "timezone": "Asia/Shanghai"}


def _changed(apps):
    """Tell a running beat (DatabaseScheduler) that the schedule changed (model signals do not fire here)."""
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = CrontabSchedule.objects.filter(**CRONTAB).order_by("pk").first() or CrontabSchedule.objects.create(
        **CRONTAB)
    PeriodicTask.objects.get_or_create(name=TASK_NAME, defaults={
        "task": TASK, "crontab": crontab, "enabled": True,
        "description": "每天扫描整改事项时限和逾期未回复的建议书，生成督办提醒、站内通知和每日邮件摘要。"})
    _changed(apps)


def remove_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()
    CrontabSchedule.objects.filter(**CRONTAB, periodictask__isnull=True).delete()
    _changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0001_followup"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
