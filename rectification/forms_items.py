"""Forms of the rectification item pages. They only read the input; rectification.services.items validates (its
messages are shown on the form, field by field) and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.forms import MultipleFileField, MultipleFileInput, StackedLabels

FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.heic,.heif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,image/*"


class PlanForm(StackedLabels, forms.Form):
    target = forms.CharField(label=_("整改目标"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("整改要达到的结果，如：集体资金全部收回入账，建立月度公开制度"))
    measures = forms.CharField(label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("具体怎么改、分几步，每条一行"))
    responsible_leader = forms.CharField(label=_("责任领导"), required=False,
                                         widget=forms.TextInput(attrs={"placeholder": _("如：村党支部书记 张某某")}))
    responsible_department = forms.CharField(label=_("责任部门"), required=False,
                                             widget=forms.TextInput(attrs={"placeholder": _("如：村委会、村会计")}))

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class ProgressForm(StackedLabels, forms.Form):
    text = forms.CharField(label=_("整改进展"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("已经做了什么、取得什么结果；可只上传材料"))
    files = MultipleFileField(label=_("佐证材料"), required=False,
                              help_text=_("可选多份：照片、PDF、Word、Excel、PowerPoint；按文件内容检查类型"),
                              widget=MultipleFileInput(attrs={"accept": FILE_ACCEPT}))


class CommentForm(StackedLabels, forms.Form):
    comment = forms.CharField(label=_("退回意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("写明还缺什么、需要补充哪些材料"))


class VerifyForm(StackedLabels, forms.Form):
    comment = forms.CharField(label=_("核验意见（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(StackedLabels, forms.Form):
    reason = forms.CharField(label=_("重新打开的原因"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("回头看发现的情况"))
