"""Celery tasks of rectification (thin: ids in, a service call, safe to run twice). Celery's autodiscovery
imports this package; each module registers its tasks."""

from . import letters, reminders  # noqa: F401
