"""Forms of the findings pages. They only read and tidy the input; the services validate and write."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rounds.models import Station, Theme
from supervision.forms import StackedLabels
from supervision.models import Unit

EVIDENCE_ACCEPT = "image/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"


def responsible_units(station: Station):
    """The target unit, the unit above it and the units under it."""
    target = station.target
    query = Q(pk=target.pk) | Q(parent_id=target.pk)
    if target.parent_id:
        query |= Q(pk=target.parent_id)
    return Unit.objects.filter(query).select_related("parent").order_by("kind", "name")


class FindingForm(StackedLabels, forms.Form):
    title = forms.CharField(label=_("问题标题"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("一句话概括问题")}))
    category = forms.ChoiceField(label=_("问题类别"), choices=[("", _("— 请选择 —")), *Theme.choices])
    observed = forms.CharField(label=_("问题表现"), widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=_("看到了什么：时间、地点、事实、数据"))
    basis = forms.CharField(label=_("定性依据"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("违反的规定，写明文件名称和条款"))
    amount = forms.DecimalField(label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14,
                                decimal_places=2,
                                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
                                help_text=_("单位：元，精确到分；不涉及金额的留空"),
                                error_messages={"invalid": _("涉及金额须为数字（单位：元）"),
                                                "min_value": _("涉及金额不能为负数"),
                                                "max_decimal_places": _("涉及金额最多保留两位小数（精确到分）"),
                                                "max_digits": _("涉及金额过大，请核对（单位：元）"),
                                                "max_whole_digits": _("涉及金额过大，请核对（单位：元）")})
    responsible_unit = forms.ModelChoiceField(label=_("责任单位"), queryset=Unit.objects.none(), required=False,
                                              empty_label=_("— 未确定 —"))
    responsible_person = forms.CharField(label=_("责任人"), max_length=100, required=False)
    found_on = forms.DateField(label=_("发现日期"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    team_opinion = forms.CharField(label=_("检查组意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = responsible_units(station)
        self.fields["responsible_unit"].label_from_instance = lambda u: u.full_name
        self.fields["found_on"].initial = timezone.localdate

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "reason"}


class CorrectionForm(FindingForm):
    reason = forms.CharField(label=_("更正理由"), max_length=300,
                             error_messages={"required": _("请填写更正理由")},
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("报告已审定，更正须说明理由；原内容将保留在更正记录中"))


class WithdrawForm(StackedLabels, forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=300,
                             error_messages={"required": _("撤回问题底稿须填写理由")})
