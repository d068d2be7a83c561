"""The audit trail writer. Services call `audit_record`; the request's IP reaches it through a context
variable set by `AuditContextMiddleware`, so services need no request object."""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model

from .models import AuditEvent

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def client_ip(request) -> str | None:
    # Behind a trusted reverse proxy the client is the last address it appended to X-Forwarded-For; without
    # one, the header is the client's own word and only REMOTE_ADDR counts.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.TRUST_X_FORWARDED_FOR else ""
    ip = forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR")
    return ip or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


def _display_name(user) -> str:
    if user is None:
        return ""
    try:
        return user.person.name
    except ObjectDoesNotExist:
        return user.get_username()


def audit_record(*, actor, action: str, obj: Model | None = None, changes: dict | None = None,
                 anonymous_source: bool = False) -> AuditEvent:
    """Write one audit event. `anonymous_source` leaves the request's address out (a villager's anonymous
    complaint must not be traceable through the trail)."""
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_user,
        actor_name=_display_name(actor_user),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=changes or {},
        ip=None if anonymous_source else current_ip.get(),
    )


def diff(before: dict, after: dict) -> dict:
    """Before/after summary of the fields that changed, as display strings."""
    return {
        key: {"before": _fmt(before.get(key)), "after": _fmt(after.get(key))}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _fmt(value) -> str:
    if value is None:
        return ""
    return str(value)
