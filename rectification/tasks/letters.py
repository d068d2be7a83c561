"""The batch run of a round's hand-off letters (thin: a run id in, the service does the work, safe to run twice)."""

from celery import shared_task

from supervision.outbox import once


@shared_task(bind=True, acks_late=True, name="rectification.letters_run")
@once()
def letters_run(self, run_id: int) -> dict:
    from ..services.letters import letters_run_execute

    run = letters_run_execute(run_id)
    return {"run": run.pk, "done": run.done, "total": run.total, "errors": len(run.errors)}
