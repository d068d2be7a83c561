"""Forms of the rounds pages. They only read and tidy the input; the services validate and write."""

from collections import defaultdict
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.forms import StackedLabels
from supervision.models import Person, Unit, UnitKind

from .models import ComplaintKind, StationState, TeamFormula, Theme

ORGANISER_KINDS = [UnitKind.COMMISSION, UnitKind.DISPATCHED_GROUP, UnitKind.TOWNSHIP, UnitKind.STREET]
TARGET_KINDS = [UnitKind.VILLAGE, UnitKind.COMMUNITY, UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, UnitKind.STREET]
PARENT_KINDS = [UnitKind.TOWNSHIP, UnitKind.STREET]
LOCAL_KINDS = [UnitKind.VILLAGE, UnitKind.COMMUNITY]


def _next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def grouped_unit_choices(units) -> list:
    """Villages and communities under their township; other units under their kind: optgroups for a long select."""
    local: dict[str, list] = defaultdict(list)
    other: dict[str, list] = defaultdict(list)
    kinds = dict(UnitKind.choices)
    for unit in units:
        if unit.kind in LOCAL_KINDS and unit.parent_id:
            local[unit.parent.name].append((unit.pk, unit.name))
        else:
            other[str(kinds.get(unit.kind, unit.kind))].append((unit.pk, unit.name))
    return sorted(local.items()) + sorted(other.items())


class BatchForm(StackedLabels, forms.Form):
    name = forms.CharField(label=_("批次名称"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("如：2026年某镇村（社区）巡回驻点监督")}))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    organiser = forms.ModelChoiceField(label=_("组织单位"), queryset=Unit.objects.none(),
                                       help_text=_("驻点人员从组织单位及其下属单位的在册人员中抽调"))
    formula = forms.ModelChoiceField(label=_("组队模式"), queryset=TeamFormula.objects.none())
    focus_themes = forms.MultipleChoiceField(label=_("监督重点"), choices=Theme.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}))
    targets_parent = forms.ModelChoiceField(
        label=_("下属村（社区）"), queryset=Unit.objects.none(), required=False, empty_label=_("— 不按乡镇选取 —"),
        help_text=_("选择一个乡镇（街道），将其全部村（社区）列为监督对象"))
    targets = forms.ModelMultipleChoiceField(
        label=_("监督对象"), queryset=Unit.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("可多选（按住 Ctrl 或 ⌘ 点选）；与上面按乡镇选取的村（社区）合并"))
    rounds = forms.IntegerField(label=_("轮次数"), min_value=1, max_value=100)
    first_start = forms.DateField(label=_("第一轮开始日期"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    days = forms.IntegerField(label=_("每轮天数"), min_value=1, max_value=60, initial=7)
    gap_days = forms.IntegerField(label=_("轮间间隔天数"), min_value=0, max_value=365, initial=2)
    complaint_phone = forms.CharField(label=_("举报电话"), max_length=40, required=False,
                                      widget=forms.TextInput(attrs={"inputmode": "tel"}))
    complaint_mailbox = forms.CharField(label=_("举报信箱"), max_length=200, required=False)
    complaint_scope = forms.CharField(label=_("受理范围"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = (units if units is not None else Unit.objects.all()).filter(is_active=True).select_related("parent")
        self.fields["organiser"].queryset = units.filter(kind__in=ORGANISER_KINDS).order_by("kind", "name")
        self.fields["formula"].queryset = TeamFormula.objects.filter(is_active=True).order_by("code")
        self.fields["targets_parent"].queryset = units.filter(kind__in=PARENT_KINDS).order_by("name")
        targets = units.filter(kind__in=TARGET_KINDS).order_by("name", "id")
        self.fields["targets"].queryset = targets
        self.fields["targets"].choices = grouped_unit_choices(targets)
        self.initial.setdefault("year", timezone.localdate().year)
        self.initial.setdefault("first_start", _next_monday())

    def clean(self):
        data = super().clean()
        chosen = list(data.get("targets") or [])
        parent = data.get("targets_parent")
        if parent is not None:
            known = {u.pk for u in chosen}
            chosen += [u for u in Unit.objects.filter(parent=parent, kind__in=LOCAL_KINDS, is_active=True)
                       .order_by("name", "id") if u.pk not in known]
        data["all_targets"] = chosen
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"], "year": data["year"], "organiser": data["organiser"], "formula": data["formula"],
            "focus_themes": data["focus_themes"], "targets": data["all_targets"], "rounds": data["rounds"],
            "first_start": data["first_start"], "days": data["days"], "gap_days": data["gap_days"],
            "complaint_phone": data["complaint_phone"], "complaint_mailbox": data["complaint_mailbox"],
            "complaint_scope": data["complaint_scope"],
        }


class SwapForm(StackedLabels, forms.Form):
    """The allowed candidates are offered; anyone of the pool is accepted, so the service has the last word
    (a page read before someone else's change is checked again, and refused with the rule it breaks)."""

    person = forms.ModelChoiceField(label=_("换成"), queryset=Person.objects.none(),
                                    empty_label=_("— 选择人员 —"))

    def __init__(self, *args, offered=(), accepted=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.queryset = accepted if accepted is not None else Person.objects.none()
        field.choices = [("", field.empty_label)] + [
            (p.pk, f"{p.name}（{p.home_unit.name}·{p.get_category_display()}）") for p in offered]


class TrainingForm(StackedLabels, forms.Form):
    topic = forms.CharField(label=_("培训主题"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)


class AttendanceForm(StackedLabels, forms.Form):
    people = forms.ModelMultipleChoiceField(label=_("参训人员"), queryset=Person.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "checks wide"}))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        field.queryset = members if members is not None else Person.objects.none()
        field.label_from_instance = lambda p: f"{p.name}（{p.home_unit.full_name}）"


class DeclarationForm(forms.Form):
    agree = forms.BooleanField(label=_("我已阅读并作出以上承诺"),
                               error_messages={"required": _("请先勾选“我已阅读并作出以上承诺”")})


class ExemptForm(StackedLabels, forms.Form):
    reason = forms.CharField(label=_("免训理由"), max_length=200,
                             error_messages={"required": _("请填写免训理由")})


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=StationState.choices)


class PublicComplaintForm(StackedLabels, forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=ComplaintKind.choices, initial=ComplaintKind.COMPLAINT,
                             widget=forms.RadioSelect)
    content = forms.CharField(label=_("反映内容"), max_length=3000,
                              widget=forms.Textarea(attrs={"rows": 7}),
                              help_text=_("请写明什么人、什么时间、什么事，越具体越便于核实。"))
    contact = forms.CharField(label=_("联系方式（选填）"), max_length=100, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
                              help_text=_("留下电话便于我们向您了解情况；不留也可以。"))
    # Left empty by people (it is out of sight); bots that fill every field give themselves away.
    website = forms.CharField(label=_("请勿填写此项"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
