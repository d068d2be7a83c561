"""交办函: the letter that hands an approved report's problems to the unit, numbered and filed once issued."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Round, Station
from supervision.models import Unit


def letter_path(instance, filename: str) -> str:
    return f"documents/handoffletter/{uuid.uuid4().hex}.pdf"


class LetterState(models.TextChoices):
    DRAFT = "draft", _("待签发")
    ISSUED = "issued", _("已签发")


class HandoffLetter(models.Model):
    station = models.OneToOneField(Station, verbose_name=_("驻点"), on_delete=models.PROTECT,
                                   related_name="handoff_letter")
    organ = models.ForeignKey(Unit, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Unit, verbose_name=_("主送单位"), on_delete=models.PROTECT,
                                  related_name="handoff_letters")
    title = models.CharField(_("标题"), max_length=200)
    addressee = models.CharField(_("主送"), max_length=200)
    basis = models.TextField(_("交办依据"))
    reply_due = models.DateField(_("书面回复期限"))
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    state = models.CharField(_("状态"), max_length=20, choices=LetterState.choices, default=LetterState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    number = models.CharField(_("文号"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    pdf = models.FileField(_("交办函"), upload_to=letter_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("备案SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("交办函")
        verbose_name_plural = _("交办函")
        ordering = ["-created_at", "-id"]
        permissions = [("issue_handoffletter", _("签发交办函"))]
        constraints = [
            models.UniqueConstraint(fields=["organ", "year", "sequence"], condition=models.Q(sequence__isnull=False),
                                    name="handoff_unique_number"),
        ]

    def __str__(self) -> str:
        return self.number or self.title


class LetterRunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("部分失败")


class LetterRun(models.Model):
    """A background run that drafts and issues the letters of a round's approved reports, with its progress."""

    round = models.ForeignKey(Round, verbose_name=_("轮次"), on_delete=models.PROTECT, related_name="letter_runs")
    state = models.CharField(_("状态"), max_length=20, choices=LetterRunState.choices, default=LetterRunState.QUEUED)
    total = models.PositiveIntegerField(_("共计"), default=0)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    errors = models.JSONField(_("未完成的驻点"), default=list, blank=True)
    reply_days = models.PositiveSmallIntegerField(_("回复期限（天）"), default=30)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批量生成交办函")
        verbose_name_plural = _("批量生成交办函")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.round} {self.done}/{self.total}"
