"""The periodic reminder sweep (督办提醒扫描), run by Celery beat on the schedule in django-celery-beat (created by
migration rectification 0002_reminder_schedule, editable by administrators in the admin). Thin: the service is
safe to run twice, concurrently, or after a worker died mid-sweep (see rectification.services.reminders)."""

from celery import shared_task

from ..services.reminders import reminder_sweep


@shared_task(name="rectification.reminder_sweep", acks_late=True)
def reminder_sweep_task() -> dict[str, int]:
    return reminder_sweep()
