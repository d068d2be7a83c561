"""Core models: the organisation (units, the cadre pool, conflict declarations) and the audit trail."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import IntegrityError, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COMMISSION = "commission", _("纪委监委")
    DISPATCHED_GROUP = "dispatched_group", _("派驻纪检监察组")
    TOWNSHIP = "township", _("乡镇")
    STREET = "street", _("街道")
    DEPARTMENT = "department", _("市直部门")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")


# Which kinds a unit of each kind may sit under (None: a root).
UNIT_PARENT_KINDS: dict[str, set[str | None]] = {
    UnitKind.COMMISSION: {None},
    UnitKind.DISPATCHED_GROUP: {UnitKind.COMMISSION},
    UnitKind.TOWNSHIP: {UnitKind.COMMISSION, None},
    UnitKind.STREET: {UnitKind.COMMISSION, None},
    UnitKind.DEPARTMENT: {UnitKind.COMMISSION, None},
    UnitKind.VILLAGE: {UnitKind.TOWNSHIP, UnitKind.STREET},
    UnitKind.COMMUNITY: {UnitKind.TOWNSHIP, UnitKind.STREET},
}


class Unit(models.Model):
    """A node of the organisation tree: commission, dispatched group, township/street, department, village."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Units a dispatched discipline group supervises (对口监督单位).
    covered_by = models.ForeignKey(
        "self",
        verbose_name=_("对口监督的派驻组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covered_units",
        limit_choices_to={"kind": UnitKind.DISPATCHED_GROUP},
    )
    code = models.CharField(_("代码"), max_length=40, blank=True)
    # As an issuing organ (发文机关): the red name at the top of its letters and the short prefix of its
    # document numbers (机关代字, e.g. 大纪 in 大纪交〔2026〕12号).
    organ_name = models.CharField(_("发文机关名称"), max_length=100, blank=True)
    doc_prefix = models.CharField(_("机关代字"), max_length=10, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    # Who rectification reminders escalate to: yellow also to the leader in charge (分管领导), red also to the
    # unit's principal (主要负责人). Their accounts get the in-app notices and the e-mail digest.
    leader_in_charge = models.ForeignKey("Person", verbose_name=_("分管领导"), null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    principal = models.ForeignKey("Person", verbose_name=_("主要负责人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="unit_unique_name_under_parent",
                violation_error_message=_("同一上级单位下已有同名单位"),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="unit_unique_root_name",
                violation_error_message=_("已有同名的顶级单位"),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="unit_unique_code_when_set",
                violation_error_message=_("该单位代码已被使用"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """Township/village path, the way people name a village unambiguously (e.g. 金牛镇/新华村)."""
        if self.parent_id and self.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
            return f"{self.parent.name}/{self.name}"
        return self.name


class PersonCategory(models.TextChoices):
    DISCIPLINE_CADRE = "discipline_cadre", _("纪检干部")
    FINANCE = "finance", _("财经所人员")
    CIVIL_AFFAIRS = "civil_affairs", _("民政所人员")
    VILLAGE_MEMBER = "village_member", _("村纪检委员")
    UNIT_STAFF = "unit_staff", _("单位工作人员")
    OTHER = "other", _("其他")


class Person(models.Model):
    """One person of the cadre pool, with an optional login."""

    name = models.CharField(_("姓名"), max_length=50)
    category = models.CharField(_("人员类别"), max_length=20, choices=PersonCategory.choices)
    home_unit = models.ForeignKey(
        Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="people"
    )
    post = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_active = models.BooleanField(_("在册"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["home_unit", "name"],
                name="person_unique_name_in_unit",
                violation_error_message=_("同一单位下已有同名人员；如确为两人，请在姓名后加以区分，如“张伟（二组）”"),
            ),
        ]
        indexes = [models.Index(fields=["category", "home_unit"]), models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return self.name


class ConflictReason(models.TextChoices):
    RELATIVE = "relative", _("近亲属在该单位任职")
    FORMER_POST = "former_post", _("曾在该单位任职")
    INTEREST = "interest", _("存在利害关系")
    OTHER = "other", _("其他")


class ConflictDeclaration(models.Model):
    """A person declares a unit they must not supervise (回避申报)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("回避单位"), on_delete=models.CASCADE, related_name="conflicts"
    )
    reason = models.CharField(_("回避事由"), max_length=20, choices=ConflictReason.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit"],
                name="conflict_unique_person_unit",
                violation_error_message=_("已申报过对该单位的回避"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ↛ {self.unit}"


AUDIT_GENESIS_HASH = "0" * 64


class AuditEventImmutable(RuntimeError):
    """An audit event is written once and never changed or removed through the application."""


def audit_event_hash(*, sequence: int, created_at, actor_id: int | None, actor_name: str, action: str,
                     object_type: str, object_id: str, object_repr: str, changes, ip: str | None,
                     prev_hash: str) -> str:
    """SHA-256 (hex) over the event's canonical form: sorted-key compact JSON of the fields below, the time in
    UTC ISO 8601 with microseconds. This form is fixed forever: every stored hash depends on it."""
    canonical = json.dumps({
        "sequence": sequence,
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_name": actor_name,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "ip": ip,
        "prev_hash": prev_hash,
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditEventQuerySet(models.QuerySet):
    """Reads only: bulk writes would bypass the chain, updates and deletes would rewrite history."""

    def _refuse(self, *args, **kwargs):
        raise AuditEventImmutable("audit events cannot be changed or deleted")

    update = delete = bulk_update = _raw_delete = _update = _refuse

    def bulk_create(self, *args, **kwargs):
        raise AuditEventImmutable("audit events are appended one by one (AuditEvent.objects.create)")


class AuditChainHead(models.Model):
    """The one row holding the chain's last sequence number and hash. An append locks it, inserts the event and
    moves it in one transaction: appends are serialised, and a rollback undoes both (no gap is left)."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=AUDIT_GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash[:12]}"

    @classmethod
    def locked(cls, using: str) -> "AuditChainHead":
        head = cls.objects.using(using).select_for_update().filter(pk=1).first()
        if head is None:
            # A fresh or flushed database: start where the trail ends (nothing, after a flush).
            last = AuditEvent.objects.using(using).order_by("-sequence").values_list("sequence", "hash").first()
            try:
                with transaction.atomic(using=using):
                    cls.objects.using(using).create(pk=1, sequence=last[0] if last else 0,
                                                    hash=last[1] if last else AUDIT_GENESIS_HASH)
            except IntegrityError:
                pass  # another writer created it first; lock theirs
            head = cls.objects.using(using).select_for_update().get(pk=1)
        return head


class AuditEvent(models.Model):
    """One thing that happened: written by services, never edited through the application. Events form a hash
    chain (`sequence`, `prev_hash`, `hash`); `manage.py verify_audit_chain` checks it."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    # Users are deactivated, never deleted: PROTECT keeps the hashed actor id from being nulled by a cascade.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    sequence = models.PositiveBigIntegerField(_("序号"), unique=True, editable=False)
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, editable=False)
    hash = models.CharField(_("哈希"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, using=None, **kwargs):
        """Append to the chain; an existing event is never saved again."""
        if not self._state.adding:
            raise AuditEventImmutable("audit events cannot be changed")
        using = using or router.db_for_write(type(self), instance=self)
        # The stored forms of the JSON and the address, so the hash is of what the database gives back.
        self.changes = json.loads(json.dumps(self.changes or {}))
        self.ip = self._meta.get_field("ip").get_prep_value(self.ip) or None
        with transaction.atomic(using=using):
            head = AuditChainHead.locked(using)
            self.sequence = head.sequence + 1
            self.prev_hash = head.hash
            self.created_at = timezone.now()
            self.hash = self.compute_hash()
            super().save(using=using, force_insert=True)
            AuditChainHead.objects.using(using).filter(pk=1).update(sequence=self.sequence, hash=self.hash)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("audit events cannot be deleted")

    def compute_hash(self) -> str:
        return audit_event_hash(
            sequence=self.sequence, created_at=self.created_at, actor_id=self.actor_id, actor_name=self.actor_name,
            action=self.action, object_type=self.object_type, object_id=self.object_id,
            object_repr=self.object_repr, changes=self.changes, ip=self.ip, prev_hash=self.prev_hash)

    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field, before, after) per change. Templates must not use `changes.items`: a change may be named
        "items" (a letter's or a recommendation's), and a template looks keys up before methods."""
        rows = []
        for field, change in (self.changes or {}).items():
            if isinstance(change, dict):
                rows.append((field, change.get("before", ""), change.get("after", "")))
            else:
                rows.append((field, "", change))
        return rows


class DocumentNumber(models.Model):
    """The last number issued per organ, document kind and year: numbers are issued without gaps."""

    organ = models.ForeignKey(Unit, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("文种"), max_length=20)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已发至"), default=0)

    class Meta:
        verbose_name = _("发文编号")
        verbose_name_plural = _("发文编号")
        constraints = [models.UniqueConstraint(fields=["organ", "kind", "year"], name="docnumber_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.organ} {self.kind} {self.year}: {self.last}"


class Notification(models.Model):
    """An in-app notice to one user. `key` makes a notice unique per user: the same reminder is never shown twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(_("通知键"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    level = models.CharField(_("级别"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class EmailDigest(models.Model):
    """One e-mail per person per day gathering their notices, instead of a flood."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    address = models.EmailField(_("邮箱"))
    subject = models.CharField(_("主题"), max_length=200)
    body = models.TextField(_("内容"))
    count = models.PositiveIntegerField(_("通知数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件摘要")
        verbose_name_plural = _("邮件摘要")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_one_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


from .outbox import OutboxMessage  # noqa: E402,F401  (the transactional outbox: supervision/outbox.py)
