"""The tamper-evident audit trail: every event is chained to the previous one by hash, a command recomputes the
chain and names the first broken link, and nothing in the application edits or deletes an event. Denied access
(403, or 404 on a page or object that exists) is recorded, once per user and path per minute."""

import json
import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from supervision.audit import audit_chain_verify, audit_record
from supervision.models import (
    AUDIT_GENESIS_HASH,
    AuditChainHead,
    AuditEvent,
    AuditEventImmutable,
    Unit,
    UnitKind,
    audit_event_hash,
)
from supervision.services.organisation import unit_create, unit_update

TABLE = AuditEvent._meta.db_table


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=connection.ops.quote_name(TABLE)), params)


def verify_command() -> tuple[str, str | None]:
    """(stdout, the CommandError's message or None)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("verify_audit_chain", stdout=out)
    except CommandError as error:
        assert error.returncode == 1
        return out.getvalue(), str(error)
    return out.getvalue(), None


@pytest.fixture
def trail(users, org):
    """The fixtures' own account events plus forty more written by services and audit_record."""
    admin = users["admin"]
    for n in range(10):
        unit = unit_create(actor=admin, name=f"测试镇{n}", kind=UnitKind.TOWNSHIP, parent=None)
        unit_update(actor=admin, unit=unit, name=f"改名镇{n}", kind=UnitKind.TOWNSHIP, parent=None)
    for n in range(20):
        audit_record(actor=users["commission"] if n % 2 else None, action="test.write", obj=org["village"],
                     changes={"n": {"before": str(n), "after": str(n + 1)}, "名称": "袁铺村"})
    return list(AuditEvent.objects.order_by("sequence"))


# --- the chain ------------------------------------------------------------------------------------------------

def test_service_writes_form_an_unbroken_chain(trail):
    assert len(trail) >= 40
    assert [e.sequence for e in trail] == list(range(1, len(trail) + 1))
    assert trail[0].prev_hash == AUDIT_GENESIS_HASH
    for previous, event in zip(trail, trail[1:], strict=False):
        assert event.prev_hash == previous.hash
        assert event.hash == event.compute_hash()
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (trail[-1].sequence, trail[-1].hash)
    result = audit_chain_verify()
    assert result.ok and result.checked == len(trail)
    out, error = verify_command()
    assert error is None
    assert f"checked {len(trail)} events" in out and out.strip().endswith("OK")


def test_the_hash_covers_the_stored_values(users):
    """What is hashed is what the database gives back: JSON with non-ASCII text and nesting, an IPv6 address."""
    from supervision.audit import current_ip

    token = current_ip.set("2001:0db8:0000:0000:0000:0000:0000:0001")
    try:
        event = audit_record(actor=users["admin"], action="test.ipv6", obj=users["admin"],
                             changes={"items": {"before": "", "after": "5"}, "列表": [1, 2.5, None, "三"]})
    finally:
        current_ip.reset(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip == "2001:db8::1"
    assert stored.hash == event.hash == stored.compute_hash()
    assert audit_chain_verify().ok


def test_an_empty_trail_verifies(db):
    assert audit_chain_verify().ok
    assert audit_chain_verify().checked == 0


def test_rollback_leaves_no_gap(users, org):
    before = AuditChainHead.objects.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        unit_create(actor=users["admin"], name="回滚镇", kind=UnitKind.TOWNSHIP, parent=None)
        raise RuntimeError("the caller fails after the audit event was written")
    assert not Unit.objects.filter(name="回滚镇").exists()
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (before.sequence, before.hash)
    after = audit_record(actor=users["admin"], action="test.after", obj=org["town"])
    assert after.sequence == before.sequence + 1 and after.prev_hash == before.hash
    assert audit_chain_verify().ok


# --- the verifier finds tampering ----------------------------------------------------------------------------

def test_changes_edited_in_the_database_are_found(trail):
    victim = trail[len(trail) // 2]
    sql("UPDATE {table} SET changes = %s WHERE id = %s", [json.dumps({"n": {"before": "0", "after": "999"}}),
                                                         victim.pk])
    result = audit_chain_verify()
    assert not result.ok and result.event_id == victim.pk
    assert result.checked == victim.sequence - 1
    assert f"event id={victim.pk} (#{victim.sequence}): its content does not match its hash" in result.problem
    out, error = verify_command()
    assert error is not None and f"event id={victim.pk}" in error and "content" in error


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(trail):
    victim, follower = trail[5], trail[6]
    forged = audit_event_hash(
        sequence=victim.sequence, created_at=victim.created_at, actor_id=victim.actor_id,
        actor_name="别人", action=victim.action, object_type=victim.object_type, object_id=victim.object_id,
        object_repr=victim.object_repr, changes=victim.changes, ip=victim.ip, prev_hash=victim.prev_hash)
    sql("UPDATE {table} SET actor_name = %s, hash = %s WHERE id = %s", ["别人", forged, victim.pk])
    result = audit_chain_verify()
    assert result.event_id == follower.pk
    assert "prev_hash" in result.problem and f"previous event id={victim.pk}" in result.problem


def test_a_deleted_event_is_found(trail):
    victim, follower = trail[7], trail[8]
    sql("DELETE FROM {table} WHERE id = %s", [victim.pk])
    result = audit_chain_verify()
    assert result.event_id == follower.pk
    assert f"sequence #{victim.sequence} missing before it (deleted event)" in result.problem
    _out, error = verify_command()
    assert error is not None and "deleted" in error


def test_deleting_the_end_of_the_trail_is_found(trail):
    sql("DELETE FROM {table} WHERE sequence >= %s", [trail[-2].sequence])
    result = audit_chain_verify()
    assert not result.ok and result.checked == len(trail) - 2
    assert f"events #{trail[-2].sequence}–#{trail[-1].sequence} deleted" in result.problem


def _insert(*, sequence, prev_hash, hash_value, action="forged") -> int:
    created_at = timezone.now()
    sql("INSERT INTO {table} (created_at, actor_name, action, object_type, object_id, object_repr, changes, "
        "sequence, prev_hash, hash) VALUES (%s, '', %s, '', '', '', %s, %s, %s, %s)",
        [created_at, action, "{}", sequence, prev_hash, hash_value])
    return AuditEvent.objects.get(sequence=sequence).pk


def test_an_event_inserted_out_of_chain_is_found(trail):
    last = trail[-1]
    forged_id = _insert(sequence=last.sequence + 1, prev_hash=last.hash, hash_value="f" * 64)
    result = audit_chain_verify()
    assert result.event_id == forged_id
    assert "inserted outside the chain" in result.problem


def test_a_well_forged_event_beyond_the_head_is_found(trail):
    """A forger who computes a valid hash but cannot move the head in the same transaction as the services."""
    last = trail[-1]
    forged_id = _insert(sequence=last.sequence + 1, prev_hash=last.hash, hash_value="0" * 64)
    forged = AuditEvent.objects.get(pk=forged_id)
    sql("UPDATE {table} SET hash = %s WHERE id = %s", [forged.compute_hash(), forged_id])
    assert AuditEvent.objects.get(pk=forged_id).hash == forged.compute_hash()
    result = audit_chain_verify()
    assert result.event_id == forged_id and "beyond the chain head" in result.problem


def test_an_event_inserted_with_a_wrong_link_is_found(trail):
    """Inserted in the middle: the sequence numbers are unique, so it must take a free number at the end and
    claim a predecessor; here it claims the first event's hash as its previous one."""
    last = trail[-1]
    forged_id = _insert(sequence=last.sequence + 1, prev_hash=trail[0].hash, hash_value="f" * 64)
    AuditChainHead.objects.filter(pk=1).update(sequence=last.sequence + 1)  # even with the head moved
    result = audit_chain_verify()
    assert result.event_id == forged_id and "prev_hash" in result.problem


# --- concurrent writers -----------------------------------------------------------------------------------------

WRITERS = 20
EVENTS_EACH = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """20 writers at once, each appending in its own transaction (and every fourth one rolling back after its
    appends). On PostgreSQL in threads with their own connections; on SQLite (one writer, per-connection
    in-memory test database) the same writers in a row."""
    user = get_user_model().objects.create_user(username="u_writer", password="x-Pw-123456")
    errors, rolled_back = [], []

    def write(n):
        try:
            with transaction.atomic():
                for k in range(EVENTS_EACH):
                    audit_record(actor=user, action="test.concurrent", changes={"writer": n, "k": k})
                if n % 4 == 3:
                    raise LookupError("roll back")
        except LookupError:
            rolled_back.append(n)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(WRITERS)

        def worker(n):
            try:
                barrier.wait(timeout=30)
                write(n)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
    else:
        for n in range(WRITERS):
            write(n)
    assert errors == []
    committed = (WRITERS - len(rolled_back)) * EVENTS_EACH
    assert len(rolled_back) == WRITERS // 4
    events = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "changes"))
    assert [s for s, _c in events] == list(range(1, committed + 1))
    # One writer's events are contiguous: its transaction held the head from its first append to its commit.
    writers_in_order = [c["writer"] for _s, c in events]
    for start in range(0, committed, EVENTS_EACH):
        assert len(set(writers_in_order[start:start + EVENTS_EACH])) == 1
    result = audit_chain_verify()
    assert result.ok and result.checked == committed


# --- nothing edits or deletes through the application ---------------------------------------------------------

def test_the_orm_refuses_edits_and_deletes(trail, users):
    event = trail[3]
    original = event.action
    event.action = "changed"
    with pytest.raises(AuditEventImmutable):
        event.save()
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.bulk_update([event], ["action"])
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.bulk_create([AuditEvent(action="bulk")])
    with pytest.raises(AuditEventImmutable):
        AuditEvent._base_manager.filter(pk=event.pk).delete()
    # A user who acted is deactivated, never deleted: the hashed actor id must not be nulled by a cascade.
    with pytest.raises(ProtectedError):
        users["admin"].delete()
    assert AuditEvent.objects.get(pk=event.pk).action == original
    assert audit_chain_verify().ok


def test_created_at_is_the_appends_own(users):
    """A caller cannot backdate an event: the time is taken under the chain lock, so it follows the order."""
    event = AuditEvent.objects.create(action="test.backdated", created_at=timezone.now() - timedelta(days=400))
    assert timezone.now() - event.created_at < timedelta(minutes=1)
    assert audit_chain_verify().ok


@pytest.fixture
def superuser_client(client, db):
    superuser = get_user_model().objects.create_superuser(username="root", password="Root-pw-123456")
    client.force_login(superuser)
    return client


def test_admin_is_read_only_even_for_a_superuser(superuser_client, trail):
    event = trail[0]
    changelist = superuser_client.get(reverse("admin:supervision_auditevent_changelist"))
    assert changelist.status_code == 200
    assert 'name="action"' not in changelist.content.decode()  # no bulk actions (delete selected)
    assert superuser_client.get(reverse("admin:supervision_auditevent_add")).status_code == 403
    detail = superuser_client.get(reverse("admin:supervision_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    posted = superuser_client.post(reverse("admin:supervision_auditevent_change", args=[event.pk]),
                                   {"action": "changed", "actor_name": "x"})
    assert posted.status_code == 403
    assert superuser_client.post(reverse("admin:supervision_auditevent_delete", args=[event.pk]),
                                 {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == event.action
    assert audit_chain_verify().ok


# --- denied access is recorded --------------------------------------------------------------------------------

@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def denied_events(user):
    return list(AuditEvent.objects.filter(action="access.denied", actor=user).order_by("sequence"))


def test_a_denied_page_is_recorded_once_per_minute(client_for, users, fresh_cache):
    client = client_for("member")
    unknown = client.get("/no-such-page/")
    assert unknown.status_code == 404
    assert denied_events(users["member"]) == []  # an unknown address is not an access denial
    first = client.get(reverse("audit_list"))
    assert first.status_code == 404
    assert first.content == unknown.content  # the same 404 page, byte for byte
    events = denied_events(users["member"])
    assert len(events) == 1
    assert events[0].changes == {"path": "/audit/", "method": "GET", "status": "404"}
    assert events[0].actor_name == "u_member姓名"
    for _ in range(5):
        assert client.get(reverse("audit_list")).status_code == 404
    assert len(denied_events(users["member"])) == 1  # a crawler does not flood the trail
    client.post(reverse("unit_new"), {"name": "偷建镇"})
    assert [e.changes["path"] for e in denied_events(users["member"])] == ["/audit/", "/units/new/"]
    cache.clear()  # the minute has passed
    client.get(reverse("audit_list"))
    assert len(denied_events(users["member"])) == 3
    assert audit_chain_verify().ok


def test_a_denied_object_and_an_allowed_page_are_told_apart(client_for, users, org, fresh_cache):
    client = client_for("liaison")
    assert client.get(reverse("unit_edit", args=[org["village"].pk])).status_code == 404
    assert client.get(reverse("home")).status_code == 200
    assert [e.changes["path"] for e in denied_events(users["liaison"])] == [f"/units/{org['village'].pk}/edit/"]


def test_an_api_denial_with_a_token_is_recorded(client, users, org, fresh_cache):
    token = Token.objects.create(user=users["outsider"])
    response = client.get(f"/api/units/{org['town'].pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 404
    events = denied_events(users["outsider"])
    assert [(e.changes["path"], e.changes["method"]) for e in events] == [(f"/api/units/{org['town'].pk}/", "GET")]


def test_a_forbidden_answer_is_recorded(superuser_client, trail, fresh_cache):
    superuser_client.get(reverse("admin:supervision_auditevent_add"))
    event = AuditEvent.objects.filter(action="access.denied").get()
    assert event.changes["status"] == "403" and event.changes["path"] == "/admin/supervision/auditevent/add/"


def test_anonymous_visitors_are_not_recorded(client, db, fresh_cache):
    client.get(reverse("audit_list"))
    client.get("/api/units/1/")
    assert not AuditEvent.objects.filter(action="access.denied").exists()
