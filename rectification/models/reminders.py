"""Reminders: what the periodic sweep found due, one row per (subject, level, day) so it is sent exactly once."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from findings.models import Recommendation

from .items import RectificationItem


class ReminderLevel(models.TextChoices):
    GREEN = "green", _("绿色提醒")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色督办")
    RECOMMENDATION_OVERDUE = "recommendation_overdue", _("建议书逾期未回复")


class Reminder(models.Model):
    key = models.CharField(_("提醒键"), max_length=120, unique=True)  # e.g. item:12:yellow:2026-11-27
    item = models.ForeignKey(RectificationItem, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="reminders")
    recommendation = models.ForeignKey(Recommendation, null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="reminders")
    level = models.CharField(_("级别"), max_length=30, choices=ReminderLevel.choices)
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True, db_index=True)
    recipients = models.JSONField(_("接收人"), default=list, blank=True)

    class Meta:
        verbose_name = _("督办提醒")
        verbose_name_plural = _("督办提醒")
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return self.key
