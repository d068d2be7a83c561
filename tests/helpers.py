"""Small helpers several test modules share."""

from supervision.models import AuditEvent


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def audit_actions(since: int) -> list[str]:
    """The audit actions written after event `since`, oldest first."""
    return list(AuditEvent.objects.filter(pk__gt=since).order_by("id").values_list("action", flat=True))


def text(response) -> str:
    return response.content.decode()
