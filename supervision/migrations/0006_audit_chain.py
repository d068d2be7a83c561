"""The audit trail becomes a hash chain: each event gets a sequence number, the previous event's hash and its own
hash (supervision.models.audit_event_hash); one "chain head" row holds the last sequence and hash and is locked by
every append. Existing events are chained in id order. The actor becomes PROTECT (users are deactivated, never
deleted): a cascade nulling it would change a hashed field. created_at is set by the append itself (the value
hashed is the value stored), no longer by auto_now_add."""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

from supervision.models import AUDIT_GENESIS_HASH, audit_event_hash

FIELDS = ("id", "created_at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr",
          "changes", "ip")


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("supervision", "AuditEvent")
    AuditChainHead = apps.get_model("supervision", "AuditChainHead")
    connection = schema_editor.connection
    db = connection.alias
    sequence, prev_hash, batch = 0, AUDIT_GENESIS_HASH, []
    rows = AuditEvent.objects.using(db).order_by("id").values_list(*FIELDS).iterator(chunk_size=5000)
    for pk, created_at, actor_id, actor_name, action, object_type, object_id, object_repr, changes, ip in rows:
        sequence += 1
        event_hash = audit_event_hash(
            sequence=sequence, created_at=created_at, actor_id=actor_id, actor_name=actor_name, action=action,
            object_type=object_type, object_id=object_id, object_repr=object_repr, changes=changes, ip=ip,
            prev_hash=prev_hash)
        batch.append((pk, sequence, prev_hash, event_hash))
        prev_hash = event_hash
        if len(batch) >= 5000:
            _write(connection, AuditEvent._meta.db_table, batch)
            batch = []
    if batch:
        _write(connection, AuditEvent._meta.db_table, batch)
    AuditChainHead.objects.using(db).update_or_create(pk=1, defaults={"sequence": sequence, "hash": prev_hash})


def _write(connection, table: str, batch: list[tuple[int, int, str, str]]) -> None:
    table = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ",".join(["(%s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} AS e SET sequence = v.sequence, prev_hash = v.prev_hash, hash = v.hash "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, sequence, prev_hash, hash) WHERE e.id = v.id",
                [value for row in batch for value in row])
        else:
            cursor.executemany(f"UPDATE {table} SET sequence = %s, prev_hash = %s, hash = %s WHERE id = %s",  # noqa: S608
                               [(seq, prev, digest, pk) for pk, seq, prev, digest in batch])


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0005_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default=AUDIT_GENESIS_HASH, max_length=64)),
            ],
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一事件哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=timezone.now, editable=False, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(null=True, on_delete=models.deletion.PROTECT, related_name="+",
                                    to=settings.AUTH_USER_MODEL, verbose_name="操作人"),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"base_manager_name": "objects", "ordering": ["-created_at", "-id"],
                     "verbose_name": "审计事件", "verbose_name_plural": "审计事件"},
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
    ]
