"""Celery tasks of supervision (thin). The nightly rollup rebuild: the deadline colours of the rectification tally
move with the calendar, and whatever bypassed the per-row upkeep (a bulk load, a raw update) is counted again.
Schedule: migration supervision 0004_tally_schedule (django-celery-beat, editable by administrators)."""

from celery import shared_task

from .tally import tallies_rebuild_all


@shared_task(name="supervision.tallies_rebuild", acks_late=True)
def tallies_rebuild_task() -> dict[str, int]:
    return tallies_rebuild_all()


# --- tasks sent through the outbox (supervision/outbox.py) --------------------------------------------------------
# Redelivery (acks_late: a worker killed mid-task leaves its message unacknowledged, and Redis hands it out again;
# the outbox may also publish a message twice) is harmless for every task of the project:
# - supervision.tallies_rebuild: recounts every rollup from the records; running it twice gives the same rows.
# - rectification.reminder_sweep: unique Reminder keys, delivery under SELECT … FOR UPDATE SKIP LOCKED in one
#   transaction per batch, one EmailDigest per person per day (see rectification.services.reminders).
# - rectification.letters_run: each station in its own transaction; a station with an issued letter is skipped, a
#   run already done returns at once (rectification.services.letters.letters_run_execute); @once skips a delivery
#   of a completed outbox message.
# - supervision.notify_finding_confirmed: @once(atomic=True): the notices and the message's done_at commit together
#   under a lock on the message row; notices are unique per (user, key) besides.
# - supervision.outbox_relay: publishes only rows still pending, claimed with SKIP LOCKED.

from .outbox import once, outbox_relay  # noqa: E402


@shared_task(name="supervision.outbox_relay", acks_late=True, ignore_result=True)
def outbox_relay_task() -> dict[str, int]:
    """Beat's path back after a Redis outage: publish what the outbox holds (also `manage.py outbox_relay`)."""
    return outbox_relay()


@shared_task(bind=True, name="supervision.notify_finding_confirmed", acks_late=True)
@once(atomic=True)
def notify_finding_confirmed_task(self, finding_id: int) -> int:
    from .services.notifications import notify_finding_confirmed

    return notify_finding_confirmed(finding_id=finding_id)
