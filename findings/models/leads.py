"""Problem leads (问题线索) transferred to the case management office, and dispositions (处理处分) of the people
dealt with. The most sensitive records in the system: who may see what is decided in findings.access only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from supervision.models import Unit

from .sheets import Evidence, Finding


def document_path(instance, filename: str) -> str:
    # Issued documents are filed under a random name outside any served directory; served only through views.
    import uuid

    return f"documents/{instance._meta.model_name}/{uuid.uuid4().hex}.pdf"


class LeadState(models.TextChoices):
    DRAFT = "draft", _("待移送")
    TRANSFERRED = "transferred", _("已移送")
    DISPOSING = "disposing", _("处置中")
    CONCLUDED = "concluded", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


class LeadDisposal(models.TextChoices):
    """The four ways the case office disposes of a lead."""

    TALK = "talk", _("谈话函询")
    VERIFY = "verify", _("初步核实")
    HOLD = "hold", _("暂存待查")
    CLOSE = "close", _("予以了结")


class ProblemLead(models.Model):
    """A lead raised from a confirmed problem sheet that points to possible violations by a person."""

    finding = models.ForeignKey(Finding, verbose_name=_("问题底稿"), on_delete=models.PROTECT, related_name="leads")
    subject_name = models.CharField(_("被反映人"), max_length=50)
    subject_post = models.CharField(_("职务"), max_length=100, blank=True)
    subject_unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("线索内容"))
    suspected = models.TextField(_("涉嫌违纪违法情形"), blank=True)
    evidence = models.ManyToManyField(Evidence, verbose_name=_("证据材料"), blank=True, related_name="+")
    state = models.CharField(_("状态"), max_length=20, choices=LeadState.choices, default=LeadState.DRAFT)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    cancel_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    # The transfer letter (问题线索移送函): numbered from the gap-free sequence of its organ.
    organ = models.ForeignKey(Unit, verbose_name=_("移送机关"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    transfer_number = models.CharField(_("移送函文号"), max_length=40, blank=True)
    transfer_year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    transfer_sequence = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    transferred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    transferred_at = models.DateTimeField(_("移送时间"), null=True, blank=True)
    transfer_pdf = models.FileField(_("移送函"), upload_to=document_path, max_length=200, blank=True)
    transfer_pdf_sha256 = models.CharField(_("移送函SHA-256"), max_length=64, blank=True)

    # What the case office records.
    disposal = models.CharField(_("处置方式"), max_length=20, choices=LeadDisposal.choices, blank=True)
    disposal_note = models.TextField(_("处置情况"), blank=True)
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问题线索")
        verbose_name_plural = _("问题线索")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_lead_content", _("查看问题线索内容")),
            ("handle_lead", _("处置问题线索")),
            ("track_leads", _("掌握问题线索移送和办理状态")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organ", "transfer_year", "transfer_sequence"],
                                    condition=models.Q(transfer_sequence__isnull=False),
                                    name="lead_unique_transfer_number"),
        ]

    def __str__(self) -> str:
        # Deliberately says nothing about the content: this string may reach logs and audit lines.
        return self.transfer_number or f"问题线索 #{self.pk}"


class DispositionForm(models.IntegerChoices):
    """四种形态, light to heavy."""

    FIRST = 1, _("第一种形态")
    SECOND = 2, _("第二种形态")
    THIRD = 3, _("第三种形态")
    FOURTH = 4, _("第四种形态")


class PartySanction(models.TextChoices):
    WARNING = "warning", _("警告")
    SERIOUS_WARNING = "serious_warning", _("严重警告")
    REMOVAL = "removal", _("撤销党内职务")
    PROBATION = "probation", _("留党察看")
    EXPULSION = "expulsion", _("开除党籍")


class GovSanction(models.TextChoices):
    WARNING = "warning", _("警告")
    DEMERIT = "demerit", _("记过")
    MAJOR_DEMERIT = "major_demerit", _("记大过")
    DEMOTION = "demotion", _("降级")
    DISMISSAL = "dismissal", _("撤职")
    EXPULSION = "expulsion", _("开除")


class PersonKind(models.TextChoices):
    """Who the person is, as the sanction rules need it."""

    OFFICIAL = "official", _("公职人员")
    VILLAGE_MANAGER = "village_manager", _("村（社区）管理人员")
    SOE_MANAGER = "soe_manager", _("国有企业管理人员")
    OTHER = "other", _("其他人员")


class Disposition(models.Model):
    """A person dealt with (处理处分), linked to the sheet or the lead it came from."""

    finding = models.ForeignKey(Finding, verbose_name=_("问题底稿"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="dispositions")
    lead = models.ForeignKey(ProblemLead, verbose_name=_("问题线索"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="dispositions")
    person_name = models.CharField(_("姓名"), max_length=50)
    person_post = models.CharField(_("职务"), max_length=100)
    person_unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    person_kind = models.CharField(_("人员类别"), max_length=20, choices=PersonKind.choices)
    party_member = models.BooleanField(_("中共党员"), default=True)
    form = models.PositiveSmallIntegerField(_("运用形态"), choices=DispositionForm.choices)
    measure = models.CharField(_("处理方式"), max_length=200, blank=True,
                               help_text=_("如谈话提醒、批评教育、责令检查、诫勉、组织调整"))
    party_sanction = models.CharField(_("党纪处分"), max_length=20, choices=PartySanction.choices, blank=True)
    gov_sanction = models.CharField(_("政务处分"), max_length=20, choices=GovSanction.choices, blank=True)
    decided_on = models.DateField(_("决定日期"))
    decided_by = models.CharField(_("决定机关"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("处理处分")
        verbose_name_plural = _("处理处分")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(finding__isnull=False) | models.Q(lead__isnull=False),
                                   name="disposition_has_source"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.get_form_display()}）"

    @property
    def sanctioned(self) -> bool:
        return bool(self.party_sanction or self.gov_sanction)
