"""Small helpers several test modules share."""

from supervision.models import AuditEvent


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def audit_actions(since: int) -> list[str]:
    """The audit actions written after event `since`, oldest first — what the services did; the security records
    of the request (access.denied, auth.*) are left out (tests/supervision/test_audit_chain.py covers those)."""
    return list(AuditEvent.objects.filter(pk__gt=since).exclude(action="access.denied")
                .exclude(action__startswith="auth.").order_by("id").values_list("action", flat=True))


def text(response) -> str:
    return response.content.decode()


def result_ids(response) -> set[int]:
    """The ids of an API list page (after checking it answered 200)."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}
