"""The audit trail writer. Services call `audit_record`; the request's IP reaches it through a context
variable set by `AuditContextMiddleware`, so services need no request object.

The trail is a hash chain (see AuditEvent.save): each event carries a gap-free sequence number, the previous
event's hash and its own; `audit_chain_verify` (command `verify_audit_chain`) recomputes it and names the first
broken link."""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, transaction
from django.db.models import Model

from .models import AUDIT_GENESIS_HASH, AuditChainHead, AuditEvent, audit_event_hash

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
    """Write one audit event, appended to the chain inside the caller's transaction (a rollback takes it back
    without a gap). `anonymous_source` leaves the request's address out (a villager's anonymous complaint must
    not be traceable through the trail)."""
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


_CHAIN_FIELDS = ("id", "sequence", "created_at", "actor_id", "actor_name", "action", "object_type", "object_id",
                 "object_repr", "changes", "ip", "prev_hash", "hash")


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    problem: str = ""  # the first broken link, described; empty when the chain is intact
    event_id: int | None = None  # the event where it breaks (None: the head or the tail)

    @property
    def ok(self) -> bool:
        return not self.problem


def audit_chain_verify(*, chunk_size: int = 5000, using: str = "default") -> ChainCheck:
    """Recompute the chain in sequence order, streaming, and stop at the first broken link: an event whose
    content does not match its hash (edited), whose prev_hash is not the previous event's hash (edited, or
    inserted outside the chain), a missing sequence number (deleted), an event beyond the chain head (inserted
    outside the application) or a head beyond the last event (the end of the trail deleted). Head and events are
    read in one snapshot, so appends running meanwhile do not look like tampering."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(chunk_size=chunk_size, using=using)


def _verify(*, chunk_size: int, using: str) -> ChainCheck:
    head = AuditChainHead.objects.using(using).filter(pk=1).values_list("sequence", "hash").first()
    head_seq, head_hash = head or (0, AUDIT_GENESIS_HASH)
    rows = (AuditEvent.objects.using(using).order_by("sequence").values_list(*_CHAIN_FIELDS)
            .iterator(chunk_size=chunk_size))
    expected_seq, prev_hash, prev_id, checked = 1, AUDIT_GENESIS_HASH, None, 0
    for (pk, sequence, created_at, actor_id, actor_name, action, object_type, object_id, object_repr, changes, ip,
         stored_prev, stored_hash) in rows:
        where = f"event id={pk} (#{sequence})"
        if sequence != expected_seq:
            missing = f"#{expected_seq}" if sequence == expected_seq + 1 else f"#{expected_seq}–#{sequence - 1}"
            return ChainCheck(checked, f"{where}: sequence {missing} missing before it (deleted event)", pk)
        if sequence > head_seq:
            return ChainCheck(checked, f"{where}: beyond the chain head #{head_seq} (inserted outside the chain)",
                              pk)
        if stored_prev != prev_hash:
            return ChainCheck(checked, f"{where}: prev_hash {stored_prev[:16]}… does not match the previous "
                                       f"event's hash {prev_hash[:16]}… (previous event id={prev_id})", pk)
        recomputed = audit_event_hash(
            sequence=sequence, created_at=created_at, actor_id=actor_id, actor_name=actor_name, action=action,
            object_type=object_type, object_id=object_id, object_repr=object_repr, changes=changes, ip=ip,
            prev_hash=stored_prev)
        if recomputed != stored_hash:
            return ChainCheck(checked, f"{where}: its content does not match its hash (edited)", pk)
        checked += 1
        expected_seq, prev_hash, prev_id = sequence + 1, stored_hash, pk
    last_seq = expected_seq - 1
    if head_seq > last_seq:
        return ChainCheck(checked, f"the chain head is at #{head_seq} but the trail ends at #{last_seq} "
                                   f"(events #{last_seq + 1}–#{head_seq} deleted)")
    if head_hash != prev_hash:
        return ChainCheck(checked, f"the chain head's hash {head_hash[:16]}… does not match the last event's hash "
                                   f"{prev_hash[:16]}… (event id={prev_id})", prev_id)
    return ChainCheck(checked)
