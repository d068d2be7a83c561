"""Problem sheets (问题底稿) with their evidence, and the station report with its two-level approval."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import FieldRecord, Station, StationCheck, Theme
from supervision.models import Person, Unit


class FindingState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CONFIRMED = "confirmed", _("已确认")
    WITHDRAWN = "withdrawn", _("已撤回")


class Finding(models.Model):
    """One problem per sheet."""

    station = models.ForeignKey(Station, verbose_name=_("驻点"), on_delete=models.PROTECT, related_name="findings")
    number = models.CharField(_("底稿编号"), max_length=40, unique=True)
    sequence = models.PositiveIntegerField(_("驻点内序号"))
    title = models.CharField(_("问题标题"), max_length=200)
    observed = models.TextField(_("问题表现"))
    basis = models.TextField(_("定性依据"), blank=True)
    category = models.CharField(_("问题类别"), max_length=30, choices=Theme.choices)
    amount = models.DecimalField(_("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    responsible_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="findings")
    responsible_person = models.CharField(_("责任人"), max_length=100, blank=True)
    found_by = models.ForeignKey(Person, verbose_name=_("发现人"), null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    found_on = models.DateField(_("发现日期"))
    team_opinion = models.TextField(_("检查组意见"), blank=True)
    station_check = models.ForeignKey(StationCheck, verbose_name=_("来自清单事项"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="findings")
    state = models.CharField(_("状态"), max_length=20, choices=FindingState.choices, default=FindingState.DRAFT)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回理由"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("问题底稿")
        verbose_name_plural = _("问题底稿")
        ordering = ["station", "sequence"]
        constraints = [models.UniqueConstraint(fields=["station", "sequence"], name="finding_unique_sequence")]
        indexes = [
            # Scale (bench/scale.py): period filters on confirmed sheets and the problem list's newest-first page.
            models.Index(fields=["state", "-found_on", "number"], name="finding_state_found_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class FindingRevision(models.Model):
    """A correction of a sheet after its report was approved: the reason and the text it replaced."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="revisions")
    reason = models.CharField(_("更正理由"), max_length=300)
    previous = models.JSONField(_("原内容"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("底稿更正")
        verbose_name_plural = _("底稿更正")
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.reason}"


def evidence_path(instance, filename: str) -> str:
    # Stored under a random name outside any served directory; the original name is kept in the row only.
    return f"evidence/{instance.station_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """An evidence file of a station: of a problem sheet, a checklist item or a field record."""

    station = models.ForeignKey(Station, verbose_name=_("驻点"), on_delete=models.PROTECT, related_name="evidence")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence")
    station_check = models.ForeignKey(StationCheck, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="evidence")
    field_record = models.ForeignKey(FieldRecord, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReportState(models.TextChoices):
    DRAFT = "draft", _("起草中")
    SUBMITTED = "submitted", _("待组长审核")
    LEADER_APPROVED = "leader_approved", _("待委机关审核")
    APPROVED = "approved", _("已审定")


class StationReport(models.Model):
    station = models.OneToOneField(Station, verbose_name=_("驻点"), on_delete=models.PROTECT, related_name="report")
    overall = models.TextField(_("总体评价"), blank=True)
    main_problems = models.TextField(_("主要问题"), blank=True)
    suggestions = models.TextField(_("意见建议"), blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻点报告")
        verbose_name_plural = _("驻点报告")

    def __str__(self) -> str:
        return f"{self.station} {self.get_state_display()}"


class ApprovalAction(models.TextChoices):
    SUBMIT = "submit", _("提交审核")
    LEADER_APPROVE = "leader_approve", _("组长审核通过")
    LEADER_RETURN = "leader_return", _("组长退回修改")
    COMMISSION_APPROVE = "commission_approve", _("委机关审定")
    COMMISSION_RETURN = "commission_return", _("委机关退回修改")


class ApprovalEvent(models.Model):
    report = models.ForeignKey(StationReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=30, choices=ApprovalAction.choices)
    comment = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.actor_name}"
