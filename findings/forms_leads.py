"""Forms of the problem-lead and disposition pages. They only read and tidy the input; the services
(findings.services.leads, findings.services.dispositions) validate and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rounds.models import Station
from supervision.forms import StackedLabels
from supervision.models import Unit

from .forms import responsible_units
from .models import DispositionForm, Evidence, GovSanction, LeadDisposal, PartySanction, PersonKind


def _units(station: Station, current: Unit | None = None):
    units = responsible_units(station)
    if current is not None:
        units = (units | Unit.objects.filter(pk=current.pk)).distinct()
    return units


class LeadForm(StackedLabels, forms.Form):
    subject_name = forms.CharField(label=_("被反映人"), max_length=50,
                                   error_messages={"required": _("请填写被反映人姓名")})
    subject_post = forms.CharField(label=_("职务"), max_length=100, required=False)
    subject_unit = forms.ModelChoiceField(label=_("所在单位"), queryset=Unit.objects.none(), required=False,
                                          empty_label=_("— 未确定 —"))
    summary = forms.CharField(label=_("线索内容"), widget=forms.Textarea(attrs={"rows": 6}),
                              error_messages={"required": _("请填写线索内容")},
                              help_text=_("反映的主要问题：时间、地点、事实、涉及金额"))
    suspected = forms.CharField(label=_("涉嫌违纪违法情形"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("涉嫌违反的党纪法规，写明名称和条款"))
    evidence = forms.ModelMultipleChoiceField(label=_("随函移送的证据材料"), queryset=Evidence.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, finding, current_unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_unit"].queryset = _units(finding.station, current_unit)
        self.fields["subject_unit"].label_from_instance = lambda u: u.full_name
        self.fields["evidence"].queryset = Evidence.objects.filter(finding=finding).order_by("uploaded_at", "id")
        self.fields["evidence"].label_from_instance = lambda e: e.original_name

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class LeadCancelForm(StackedLabels, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), max_length=300,
                             error_messages={"required": _("撤销问题线索须填写理由")})


class LeadDisposeForm(StackedLabels, forms.Form):
    disposal = forms.ChoiceField(label=_("处置方式"), choices=[("", _("— 请选择 —")), *LeadDisposal.choices],
                                 error_messages={"required": _("请选择处置方式")})
    note = forms.CharField(label=_("处置情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("变更处置方式时必填"))


class LeadConcludeForm(StackedLabels, forms.Form):
    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": _("请填写办理结果")})


class DispositionEntryForm(StackedLabels, forms.Form):
    person_name = forms.CharField(label=_("姓名"), max_length=50, error_messages={"required": _("请填写姓名")})
    person_post = forms.CharField(label=_("职务"), max_length=100, error_messages={"required": _("请填写职务")})
    person_unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.none(),
                                         empty_label=_("— 请选择 —"), error_messages={"required": _("请选择单位")})
    person_kind = forms.ChoiceField(label=_("人员类别"), choices=[("", _("— 请选择 —")), *PersonKind.choices],
                                    error_messages={"required": _("请选择人员类别")})
    party_member = forms.BooleanField(label=_("中共党员"), required=False, initial=True)
    form = forms.TypedChoiceField(label=_("运用形态"), coerce=int,
                                  choices=[("", _("— 请选择 —")), *DispositionForm.choices],
                                  error_messages={"required": _("请选择运用形态")})
    measure = forms.CharField(label=_("处理方式"), max_length=200, required=False,
                              help_text=_("如谈话提醒、批评教育、责令检查、诫勉、组织调整；未给予处分的必填"))
    party_sanction = forms.ChoiceField(label=_("党纪处分"), required=False,
                                       choices=[("", _("— 无 —")), *PartySanction.choices])
    gov_sanction = forms.ChoiceField(label=_("政务处分"), required=False,
                                     choices=[("", _("— 无 —")), *GovSanction.choices],
                                     help_text=_("村（社区）管理人员只能给予警告、记过或记大过"))
    decided_on = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"required": _("请填写决定日期")})
    decided_by = forms.CharField(label=_("决定机关"), max_length=100,
                                 error_messages={"required": _("请填写决定机关")})

    def __init__(self, *args, station: Station, current_unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person_unit"].queryset = _units(station, current_unit)
        self.fields["person_unit"].label_from_instance = lambda u: u.full_name
        self.fields["decided_on"].initial = timezone.localdate

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}
