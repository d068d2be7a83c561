"""Forms of the special-campaign pages. They only read and tidy the input; findings.services.campaigns validates
and writes."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from supervision.forms import StackedLabels
from supervision.models import Unit

from .models import Finding, FindingState, SpecialCampaign
from .services.campaigns import sheet_unit_expression


def campaign_sheet_choices(category: str, campaign: SpecialCampaign | None = None):
    """The sheets a campaign on the category may link: its confirmed sheets, and those linked already."""
    query = Q(category=category, state=FindingState.CONFIRMED)
    if campaign is not None:
        query |= Q(campaigns=campaign)
    return (Finding.objects.filter(query).distinct().select_related("responsible_unit", "station__target")
            .order_by("-found_on", "number"))


def campaign_unit_choices(category: str, campaign: SpecialCampaign | None = None):
    """The units of those sheets (responsible unit, else the station's target), and those linked already."""
    sheet_units = (Finding.objects.filter(category=category, state=FindingState.CONFIRMED)
                   .annotate(unit_id=sheet_unit_expression()).values("unit_id"))
    query = Q(pk__in=sheet_units)
    if campaign is not None:
        query |= Q(campaigns=campaign)
    return Unit.objects.filter(query).distinct().order_by("name")


class SheetChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Finding) -> str:
        unit = obj.responsible_unit or obj.station.target
        return f"{obj.number} {obj.title}（{unit.name}，{obj.found_on:%Y-%m-%d}）"


class CampaignForm(StackedLabels, forms.Form):
    title = forms.CharField(label=_("专项治理名称"), max_length=200,
                            error_messages={"required": _("请填写专项治理名称")})
    description = forms.CharField(label=_("治理内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text=_("治理的重点、措施和责任分工"))
    period_start = forms.DateField(label=_("问题发现起始日期"),
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                   error_messages={"required": _("请填写问题发现起始日期")})
    period_end = forms.DateField(label=_("问题发现截止日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"required": _("请填写问题发现截止日期")})
    findings = SheetChoice(label=_("相关问题底稿"), queryset=Finding.objects.none(), required=False,
                           widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label=_("涉及单位"), queryset=Unit.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, category: str, campaign: SpecialCampaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = campaign_sheet_choices(category, campaign)
        self.fields["units"].queryset = campaign_unit_choices(category, campaign)

    def values(self) -> dict:
        return dict(self.cleaned_data)


class CloseForm(StackedLabels, forms.Form):
    summary = forms.CharField(label=_("治理成效"), widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("请填写治理成效")})
