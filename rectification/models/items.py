"""Rectification items (整改事项): one per problem of an issued letter, from 建账 to 销号, with their timeline
(submissions, returns, verification, 回头看 re-checks) and evidence."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from findings.models import Finding

from .letters import HandoffLetter


class ItemState(models.TextChoices):
    OPEN = "open", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待核验")
    RETURNED = "returned", _("已退回")
    CLOSED = "closed", _("已销号")


class RectificationItem(models.Model):
    letter = models.ForeignKey(HandoffLetter, verbose_name=_("交办函"), on_delete=models.PROTECT,
                               related_name="items")
    finding = models.OneToOneField(Finding, verbose_name=_("问题底稿"), on_delete=models.PROTECT,
                                   related_name="rectification")
    sequence = models.PositiveSmallIntegerField(_("序号"))
    problem = models.TextField(_("问题"))
    requirement = models.TextField(_("整改要求"))
    responsible = models.CharField(_("责任人"), max_length=100, blank=True)
    deadline = models.DateField(_("完成时限"))
    # The unit's rectification plan (整改方案): 整改目标 | 措施 | 责任领导 | 责任部门.
    target = models.TextField(_("整改目标"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    responsible_leader = models.CharField(_("责任领导"), max_length=100, blank=True)
    responsible_department = models.CharField(_("责任部门"), max_length=100, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=ItemState.choices, default=ItemState.OPEN)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["letter", "sequence"]
        permissions = [("verify_rectificationitem", _("核验整改事项"))]
        constraints = [models.UniqueConstraint(fields=["letter", "sequence"], name="item_unique_sequence")]
        indexes = [
            # Scale (bench/scale.py): the item list's page in deadline order, and the colour counts (state, deadline)
            # answered by an index-only scan.
            models.Index(fields=["deadline", "letter", "sequence"], name="item_deadline_order_idx"),
            models.Index(fields=["state", "deadline"], name="item_state_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.letter} #{self.sequence}"


class ItemEventKind(models.TextChoices):
    PLAN = "plan", _("制定整改方案")
    PROGRESS = "progress", _("报告整改进展")
    SUBMIT = "submit", _("提交核验")
    RETURN = "return", _("退回")
    VERIFY = "verify", _("核验销号")
    REOPEN = "reopen", _("回头看重新打开")


class ItemEvent(models.Model):
    """One step of an item's record: what was done, by whom, when, with the comment or progress text."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=20, choices=ItemEventKind.choices)
    text = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.actor_name}"


def rectification_evidence_path(instance, filename: str) -> str:
    return f"rectification/{instance.item_id}/{uuid.uuid4().hex}"


class RectificationEvidence(models.Model):
    """A file the unit attaches to its progress: checked like any evidence (content, size, name)."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(ItemEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=rectification_evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改佐证材料")
        verbose_name_plural = _("整改佐证材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
