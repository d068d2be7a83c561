"""Batches of rounds, team formulas, stations and their members, training, and public complaint intake."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from supervision.models import Person, PersonCategory, Unit


class Theme(models.TextChoices):
    """Supervision focus themes (监督重点), as in the checklist library."""

    FOUR_TWO = "four_two", _("四议两公开")
    THREE_ONE = "three_one", _("三重一大")
    AFFAIRS_OPEN = "affairs_open", _("村务公开")
    THREE_ASSETS = "three_assets", _("村级三资")
    SUBSIDIES = "subsidies", _("惠民惠农补贴")
    LAND = "land", _("土地")
    PROJECTS = "projects", _("工程项目")
    CONDUCT = "conduct", _("作风与党建")
    DEPT_PARTY = "dept_party", _("党建工作")
    DEPT_RESPONSIBILITY = "dept_responsibility", _("主体责任落实")
    DEPT_INSPECTION = "dept_inspection", _("巡察整改")


class TeamFormula(models.Model):
    """A team composition such as "1+2+N" or "2+5", as data: a list of slots."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("组队模式")
        verbose_name_plural = _("组队模式")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FormulaSlot(models.Model):
    formula = models.ForeignKey(TeamFormula, verbose_name=_("组队模式"), on_delete=models.CASCADE,
                                related_name="slots")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    label = models.CharField(_("组内角色"), max_length=30)
    categories = models.JSONField(_("可选人员类别"), default=list,
                                  help_text=_("人员类别代码列表，如 [\"finance\", \"civil_affairs\"]"))
    count = models.PositiveSmallIntegerField(_("人数"), default=1)
    is_minimum = models.BooleanField(_("人数为下限"), default=False, help_text=_("勾选表示“至少”这么多人（如 N≥1）"))
    planned_count = models.PositiveSmallIntegerField(_("排班时每组人数"), default=0,
                                                     help_text=_("人数为下限时，自动排班每组安排的人数；0 表示取下限"))
    is_leader = models.BooleanField(_("组长"), default=False)
    one_per_unit = models.BooleanField(_("每单位一人"), default=False,
                                       help_text=_("该角色的成员须来自不同单位（如“2+5”中对口单位各派1人）"))

    class Meta:
        verbose_name = _("组内角色")
        verbose_name_plural = _("组内角色")
        ordering = ["formula", "order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def seats(self) -> int:
        """How many people the planner puts in this slot."""
        return max(self.count, self.planned_count) if self.is_minimum else self.count

    @property
    def categories_display(self) -> str:
        labels = dict(PersonCategory.choices)
        return "/".join(str(labels.get(c, c)) for c in self.categories)


class BatchState(models.TextChoices):
    DRAFT = "draft", _("编制中")
    CONFIRMED = "confirmed", _("已确定")
    CLOSED = "closed", _("已结束")


class Batch(models.Model):
    """A batch of rounds (一批巡回驻点): targets covered round after round by teams from a cadre pool."""

    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    organiser = models.ForeignKey(Unit, verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="batches")
    formula = models.ForeignKey(TeamFormula, verbose_name=_("组队模式"), on_delete=models.PROTECT,
                                related_name="batches")
    focus_themes = models.JSONField(_("监督重点"), default=list, blank=True)
    targets = models.ManyToManyField(Unit, verbose_name=_("监督对象"), related_name="target_of_batches")
    pool = models.ManyToManyField(Person, verbose_name=_("抽调人员库"), blank=True, related_name="pool_of_batches",
                                  help_text=_("留空则使用组织单位及其下属单位的全部在册人员"))
    state = models.CharField(_("状态"), max_length=20, choices=BatchState.choices, default=BatchState.DRAFT)
    complaint_phone = models.CharField(_("举报电话"), max_length=40, blank=True)
    complaint_mailbox = models.CharField(_("举报信箱"), max_length=200, blank=True)
    complaint_scope = models.TextField(_("受理范围"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    planned_at = models.DateTimeField(_("排班时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        ordering = ["-year", "-created_at"]
        permissions = [("plan_batch", _("可以编排批次"))]

    def __str__(self) -> str:
        return self.name


class Round(models.Model):
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("轮次")
        verbose_name_plural = _("轮次")
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="round_unique_number"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="round_end_after_start"),
        ]

    def __str__(self) -> str:
        return _("第%(n)d轮") % {"n": self.number}


class StationState(models.TextChoices):
    PROPOSED = "proposed", _("方案待确认")
    PLANNED = "planned", _("已排定")
    TRAINING = "training", _("巡前培训")
    STATIONED = "stationed", _("驻点中")
    REPORTING = "reporting", _("形成报告")
    HANDED_OFF = "handed_off", _("已交办")
    FOLLOWING_UP = "following_up", _("跟踪督办")
    CLOSED = "closed", _("已销号")


def _public_token() -> str:
    return secrets.token_urlsafe(12)


class Station(models.Model):
    """One team at one target unit for one round's period."""

    round = models.ForeignKey(Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="stations")
    target = models.ForeignKey(Unit, verbose_name=_("驻点单位"), on_delete=models.PROTECT, related_name="stations")
    state = models.CharField(_("状态"), max_length=20, choices=StationState.choices, default=StationState.PROPOSED)
    public_token = models.CharField(_("公开页编号"), max_length=32, unique=True, default=_public_token)
    notice_number = models.CharField(_("公告文号"), max_length=40, blank=True)
    notice_issued_at = models.DateTimeField(_("公告发布时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("进驻时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻点")
        verbose_name_plural = _("驻点")
        ordering = ["round__number", "target__name", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "target"], name="station_unique_target_in_round")]
        permissions = [("lead_station", _("担任驻点组长"))]

    def __str__(self) -> str:
        return f"{self.round}·{self.target.name}"


class StationMember(models.Model):
    station = models.ForeignKey(Station, verbose_name=_("驻点"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="stations")
    slot = models.ForeignKey(FormulaSlot, verbose_name=_("组内角色"), on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("回避承诺时间"), null=True, blank=True)
    training_exempt_reason = models.CharField(_("免训理由"), max_length=200, blank=True)
    training_exempted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("驻点成员")
        verbose_name_plural = _("驻点成员")
        ordering = ["station", "slot__order", "person__name"]
        constraints = [models.UniqueConstraint(fields=["station", "person"], name="member_unique_in_station")]

    def __str__(self) -> str:
        return f"{self.station}: {self.person}"


class TrainingSession(models.Model):
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="trainings")
    topic = models.CharField(_("培训主题"), max_length=200)
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    attendees = models.ManyToManyField(Person, verbose_name=_("参训人员"), blank=True, related_name="trainings")

    class Meta:
        verbose_name = _("巡前培训")
        verbose_name_plural = _("巡前培训")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return self.topic


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", _("问题反映")
    SUGGESTION = "suggestion", _("意见建议")


class Complaint(models.Model):
    """A villager's complaint or message left on a station's public page, anonymous unless they leave contact."""

    station = models.ForeignKey(Station, verbose_name=_("驻点"), on_delete=models.CASCADE, related_name="complaints")
    kind = models.CharField(_("类别"), max_length=20, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT)
    content = models.TextField(_("内容"), max_length=3000)
    contact = models.CharField(_("联系方式（选填）"), max_length=100, blank=True)
    receipt = models.CharField(_("回执编号"), max_length=20, unique=True)
    source_hash = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("来信来访")
        verbose_name_plural = _("来信来访")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.receipt
