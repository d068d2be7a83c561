"""The team's week at a station: the checklist library and each station's checklist, field records
(走访记录) and questionnaires."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from supervision.models import Person

from .core import Station, Theme


class ChecklistVersion(models.Model):
    """One edition of the checklist library. A published version never changes; admins edit a draft and publish
    it as the next version. A station keeps the items of the version it opened with."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("监督清单版本")
        verbose_name_plural = _("监督清单版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return _("第%(n)d版") % {"n": self.number}


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, verbose_name=_("版本"), on_delete=models.PROTECT,
                                related_name="items")
    theme = models.CharField(_("主题"), max_length=30, choices=Theme.choices)
    code = models.CharField(_("编号"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("检查内容"), max_length=300)
    guidance = models.TextField(_("检查方法"), blank=True)
    basis = models.TextField(_("依据"), blank=True)

    class Meta:
        verbose_name = _("监督清单事项")
        verbose_name_plural = _("监督清单事项")
        ordering = ["version", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="checklist_item_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class CheckResult(models.TextChoices):
    UNCHECKED = "unchecked", _("未检查")
    COMPLIANT = "compliant", _("符合")
    PROBLEM = "problem", _("存在问题")
    NOT_APPLICABLE = "na", _("不适用")


class StationCheck(models.Model):
    station = models.ForeignKey(Station, verbose_name=_("驻点"), on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("清单事项"), on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("检查结果"), max_length=20, choices=CheckResult.choices,
                              default=CheckResult.UNCHECKED)
    note = models.TextField(_("情况说明"), blank=True)
    checked_by = models.ForeignKey(Person, verbose_name=_("检查人"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("清单检查")
        verbose_name_plural = _("清单检查")
        ordering = ["station", "item__order", "item__code"]
        constraints = [models.UniqueConstraint(fields=["station", "item"], name="station_check_unique_item")]

    def __str__(self) -> str:
        return f"{self.station}: {self.item.code}"


class FieldMethod(models.TextChoices):
    REPORT_HEARD = "report_heard", _("听取汇报")
    DOCUMENTS_READ = "documents_read", _("查阅资料")
    INTERVIEW = "interview", _("个别谈话")
    QUESTIONNAIRE = "questionnaire", _("发放调查问卷")
    HOUSEHOLD_VISIT = "household_visit", _("走访群众")
    ENTERPRISE_VISIT = "enterprise_visit", _("走访企业")
    COMPLAINT = "complaint", _("受理信访")


class FieldRecord(models.Model):
    """One piece of field work (走访记录) by one method."""

    station = models.ForeignKey(Station, verbose_name=_("驻点"), on_delete=models.CASCADE,
                                related_name="field_records")
    method = models.CharField(_("方式"), max_length=30, choices=FieldMethod.choices)
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    subject = models.CharField(_("对象"), max_length=200, blank=True,
                               help_text=_("如听取汇报的“两委”班子、查阅的账册、走访的农户或企业"))
    interviewee = models.CharField(_("谈话对象"), max_length=100, blank=True)
    interviewers = models.ManyToManyField(Person, verbose_name=_("谈话人"), blank=True, related_name="+")
    content = models.TextField(_("主要内容"))
    recorded_by = models.ForeignKey(Person, verbose_name=_("记录人"), null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.date}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("填空")


class Questionnaire(models.Model):
    """A questionnaire template (调查问卷)."""

    title = models.CharField(_("标题"), max_length=100)
    intro = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.CASCADE,
                                      related_name="questions")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("题型"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    options = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.text


class StationQuestionnaire(models.Model):
    """A questionnaire a station publishes on its public page."""

    station = models.OneToOneField(Station, verbose_name=_("驻点"), on_delete=models.CASCADE,
                                   related_name="questionnaire")
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("问卷"), on_delete=models.PROTECT,
                                      related_name="+")
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    is_open = models.BooleanField(_("接受作答"), default=True)

    class Meta:
        verbose_name = _("驻点问卷")
        verbose_name_plural = _("驻点问卷")

    def __str__(self) -> str:
        return f"{self.station}: {self.questionnaire}"


class QuestionnaireResponse(models.Model):
    """One anonymous set of answers: {question id: option index | [indexes] | text}."""

    station_questionnaire = models.ForeignKey(StationQuestionnaire, on_delete=models.CASCADE,
                                              related_name="responses")
    answers = models.JSONField(default=dict)
    source_hash = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.station_questionnaire_id} {self.created_at:%Y-%m-%d %H:%M}"
