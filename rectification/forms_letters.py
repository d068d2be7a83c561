"""Forms of the hand-off letter pages (交办函). They only read and tidy the input; rectification.services.letters
validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.forms import StackedLabels

from .services.letters import MAX_REPLY_DAYS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LetterStartForm(StackedLabels, forms.Form):
    """What a new letter (or a round's batch) needs beyond the report: the reply time and the contact."""

    reply_days = forms.IntegerField(label=_("书面回复期限（天）"), min_value=1, max_value=MAX_REPLY_DAYS, initial=30,
                                    help_text=_("自今天起算；每个问题的整改时限默认同此日期，可在草稿中逐项修改"),
                                    error_messages={"required": _("请填写回复期限"),
                                                    "invalid": _("回复期限应为天数"),
                                                    "min_value": _("回复期限至少1天"),
                                                    "max_value": _("回复期限不能超过365天")})
    contact_name = forms.CharField(label=_("联系人"), max_length=50,
                                   error_messages={"required": _("请填写联系人")})
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40,
                                    error_messages={"required": _("请填写联系电话")})


class LetterForm(StackedLabels, forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, error_messages={"required": _("请填写标题")})
    addressee = forms.CharField(label=_("主送"), max_length=200, error_messages={"required": _("请填写主送单位")})
    basis = forms.CharField(label=_("交办依据"), widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": _("请填写交办依据")})
    reply_due = forms.DateField(label=_("书面回复期限"), widget=DATE,
                                error_messages={"required": _("请填写书面回复期限"),
                                                "invalid": _("书面回复期限须为日期，如 2026-12-31")})
    contact_name = forms.CharField(label=_("联系人"), max_length=50, error_messages={"required": _("请填写联系人")})
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40,
                                    error_messages={"required": _("请填写联系电话")})

    def __init__(self, *args, items=(), **kwargs):
        """items: the draft's rectification items; each gets requirement / responsible / deadline fields."""
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"req_{item.pk}"] = forms.CharField(
                label=_("整改要求"), initial=item.requirement, widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("请填写整改要求")})
            self.fields[f"who_{item.pk}"] = forms.CharField(label=_("责任人"), initial=item.responsible,
                                                            max_length=100, required=False)
            self.fields[f"due_{item.pk}"] = forms.DateField(
                label=_("时限"), initial=item.deadline, widget=DATE,
                error_messages={"required": _("请填写完成时限"), "invalid": _("时限须为日期，如 2026-12-31")})

    def rows(self):
        """(item, requirement field, responsible field, deadline field) for the template."""
        return [(item, self[f"req_{item.pk}"], self[f"who_{item.pk}"], self[f"due_{item.pk}"])
                for item in self.items]

    def values(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        fields = {name: data[name] for name in ("title", "addressee", "basis", "reply_due", "contact_name",
                                                 "contact_phone")}
        rows = {item.pk: {"requirement": data[f"req_{item.pk}"], "responsible": data.get(f"who_{item.pk}", ""),
                          "deadline": data[f"due_{item.pk}"]} for item in self.items}
        return fields, rows
