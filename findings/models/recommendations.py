"""纪检监察建议书: a recommendation to a unit whose rules or management need fixing, with a reply deadline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Station
from supervision.models import Unit

from .leads import document_path
from .sheets import Finding


class RecommendationState(models.TextChoices):
    DRAFT = "draft", _("起草中")
    ISSUED = "issued", _("已发出")
    REPLIED = "replied", _("已回复")


class Recommendation(models.Model):
    organ = models.ForeignKey(Unit, verbose_name=_("发文机关"), on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Unit, verbose_name=_("主送单位"), on_delete=models.PROTECT,
                                  related_name="recommendations")
    station = models.ForeignKey(Station, verbose_name=_("来自驻点"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="recommendations")
    findings = models.ManyToManyField(Finding, verbose_name=_("相关问题底稿"), blank=True,
                                      related_name="recommendations")
    title = models.CharField(_("标题"), max_length=200)
    facts = models.TextField(_("查明的事实"))
    causes = models.TextField(_("原因分析"))
    items = models.TextField(_("监督建议"), help_text=_("每行一条，发文时自动编号"))
    reply_due = models.DateField(_("回复期限"))
    state = models.CharField(_("状态"), max_length=20, choices=RecommendationState.choices,
                             default=RecommendationState.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    number = models.CharField(_("文号"), max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(_("发文时间"), null=True, blank=True)
    pdf = models.FileField(_("建议书"), upload_to=document_path, max_length=200, blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    reply = models.TextField(_("回复内容"), blank=True)
    replied_on = models.DateField(_("回复日期"), null=True, blank=True)
    reply_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("纪检监察建议书")
        verbose_name_plural = _("纪检监察建议书")
        ordering = ["-created_at", "-id"]
        permissions = [("issue_recommendation", _("签发纪检监察建议书"))]
        constraints = [
            models.UniqueConstraint(fields=["organ", "year", "sequence"],
                                    condition=models.Q(sequence__isnull=False),
                                    name="recommendation_unique_number"),
        ]

    def __str__(self) -> str:
        return self.number or self.title

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]
