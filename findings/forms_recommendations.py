"""Forms of the recommendation pages (纪检监察建议书). They only read and tidy the input; the services in
findings.services.recommendations validate and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.forms import StackedLabels
from supervision.models import Unit

from .models import Finding, FindingState
from .services.recommendations import issuing_organs


class RecommendationForm(StackedLabels, forms.Form):
    organ = forms.ModelChoiceField(label=_("发文机关"), queryset=Unit.objects.none(), empty_label=_("— 请选择 —"),
                                   error_messages={"required": _("请选择发文机关"),
                                                   "invalid_choice": _("请选择发文机关")})
    recipient = forms.ModelChoiceField(label=_("主送单位"), queryset=Unit.objects.none(),
                                       empty_label=_("— 请选择 —"),
                                       error_messages={"required": _("请选择主送单位"),
                                                       "invalid_choice": _("请选择主送单位")})
    title = forms.CharField(label=_("标题"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("如：关于规范村集体资金管理的建议")}),
                            error_messages={"required": _("请填写标题"), "max_length": _("标题不能超过200字")})
    facts = forms.CharField(label=_("查明的事实"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("监督检查中查明的问题，写明时间、事实和数据；每段一行"),
                            error_messages={"required": _("请填写查明的事实")})
    causes = forms.CharField(label=_("原因分析"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("问题背后制度、管理或监督上的原因"),
                             error_messages={"required": _("请填写原因分析")})
    items = forms.CharField(label=_("监督建议"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("每行一条，签发时自动编为（一）（二）……"),
                            error_messages={"required": _("请至少填写一条监督建议（每行一条）")})
    reply_due = forms.DateField(label=_("回复期限"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_("被建议单位须在此日期前书面回复落实情况"),
                                error_messages={"required": _("请填写回复期限"),
                                                "invalid": _("回复期限须为日期，如 2026-12-31")})
    findings = forms.ModelMultipleChoiceField(label=_("相关问题底稿"), queryset=Finding.objects.none(),
                                              required=False, widget=forms.CheckboxSelectMultiple,
                                              error_messages={"invalid_choice": _("只能关联本驻点已确认的问题底稿")})

    def __init__(self, *args, station=None, linked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organ"].queryset = issuing_organs().order_by("kind", "name")
        self.fields["recipient"].queryset = (Unit.objects.filter(is_active=True).select_related("parent")
                                             .order_by("kind", "parent__name", "name"))
        self.fields["recipient"].label_from_instance = lambda unit: unit.full_name
        findings = Finding.objects.none()
        if station is not None:
            findings = Finding.objects.filter(station=station, state=FindingState.CONFIRMED)
        linked_ids = [f.pk for f in linked]
        if linked_ids:
            findings = findings | Finding.objects.filter(pk__in=linked_ids)
        self.fields["findings"].queryset = findings.order_by("sequence")
        self.fields["findings"].label_from_instance = lambda f: f"{f.number} {f.title}"
        self.has_findings = station is not None or bool(linked_ids)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ReplyForm(StackedLabels, forms.Form):
    reply = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 8}),
                            help_text=_("被建议单位书面回复的落实情况；原件可由纪委监委存档"),
                            error_messages={"required": _("请填写回复内容（落实情况）")})
    replied_on = forms.DateField(label=_("回复日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 error_messages={"required": _("请填写回复日期"),
                                                 "invalid": _("回复日期须为日期，如 2026-12-31")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replied_on"].initial = timezone.localdate

