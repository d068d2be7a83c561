"""专项治理: a campaign on a category of problem that appears in several units, opened from the system's flag."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Theme
from supervision.models import Unit

from .sheets import Finding


class CampaignState(models.TextChoices):
    OPEN = "open", _("已立项")
    ACTIVE = "active", _("治理中")
    CLOSED = "closed", _("已结束")


class SpecialCampaign(models.Model):
    title = models.CharField(_("专项治理名称"), max_length=200)
    category = models.CharField(_("问题类别"), max_length=30, choices=Theme.choices)
    description = models.TextField(_("治理内容"), blank=True)
    period_start = models.DateField(_("问题发现起始日期"))
    period_end = models.DateField(_("问题发现截止日期"))
    findings = models.ManyToManyField(Finding, verbose_name=_("相关问题底稿"), blank=True, related_name="campaigns")
    units = models.ManyToManyField(Unit, verbose_name=_("涉及单位"), blank=True, related_name="campaigns")
    state = models.CharField(_("状态"), max_length=20, choices=CampaignState.choices, default=CampaignState.OPEN)
    summary = models.TextField(_("治理成效"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(_("立项时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("专项治理")
        verbose_name_plural = _("专项治理")
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One current campaign per category, also when two are opened at the same moment.
            models.UniqueConstraint(fields=["category"], condition=models.Q(state__in=["open", "active"]),
                                    name="campaign_one_current_per_category"),
        ]

    def __str__(self) -> str:
        return self.title
