"""Periodic tasks shipped with the system, created by data migrations in django-celery-beat's tables (administrators
edit them in the admin afterwards). `schedule_operation(...)` gives the migration operation: idempotent forwards,
and backwards it removes the periodic task (and its crontab when nothing else uses it). Migrations see the
historical models through `apps`, so nothing here imports a model."""

from django.db import migrations
from django.utils import timezone


def _changed(apps):
    """Tell a running beat (DatabaseScheduler) that the schedule changed (model signals do not fire here)."""
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def schedule_operation(*, name: str, task: str, crontab: dict, description: str) -> migrations.RunPython:
    def create(apps, schema_editor):
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        schedule = (CrontabSchedule.objects.filter(**crontab).order_by("pk").first()
                    or CrontabSchedule.objects.create(**crontab))
        PeriodicTask.objects.get_or_create(name=name, defaults={
            "task": task, "crontab": schedule, "enabled": True, "description": description})
        _changed(apps)

    def remove(apps, schema_editor):
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        PeriodicTask.objects.filter(name=name).delete()
        CrontabSchedule.objects.filter(**crontab, periodictask__isnull=True).delete()
        _changed(apps)

    return migrations.RunPython(create, remove)
