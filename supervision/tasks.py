"""Celery tasks of supervision (thin). The nightly rollup rebuild: the deadline colours of the rectification tally
move with the calendar, and whatever bypassed the per-row upkeep (a bulk load, a raw update) is counted again.
Schedule: migration supervision 0004_tally_schedule (django-celery-beat, editable by administrators)."""

from celery import shared_task

from .tally import tallies_rebuild_all


@shared_task(name="supervision.tallies_rebuild", acks_late=True)
def tallies_rebuild_task() -> dict[str, int]:
    return tallies_rebuild_all()
