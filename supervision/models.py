"""Core models: the organisation (units, the cadre pool, conflict declarations) and the audit trail."""

from django.conf import settings
from django.db import models
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


class AuditEvent(models.Model):
    """One thing that happened: written by services, never edited through the application."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

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
