"""Views of rounds: fieldwork — the station's checklist (监督清单) and its field records (走访记录). Each module owns
its urlpatterns; rounds/urls.py joins them.

Who: the station's own team and the planners record (station_for_user(..., "work")); anyone else who may see the
station reads; everyone else gets a 404."""

from collections import Counter

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from supervision.forms import MultipleFileField, MultipleFileInput, StackedLabels
from supervision.models import Person
from supervision.views.common import apply_service_errors

from ..access import can_work, station_for_user
from ..models import CheckResult, FieldMethod, FieldRecord, Station, StationCheck, Theme
from ..services.fieldwork import (
    SIGNED_RECORD,
    WORK_STATES,
    check_evidence_add,
    check_record,
    field_record_attach,
    field_record_create,
    station_checklist_open,
)

ACCEPT = "image/*,application/pdf,.doc,.docx,.xls,.xlsx"
FILE_ATTRS = {"accept": ACCEPT, "capture": "environment"}


def _writable(user, station: Station) -> bool:
    return station.state in WORK_STATES and can_work(user, station)


def _finding_new_url(station: Station) -> str | None:
    try:
        return reverse("finding_new", args=[station.pk])
    except NoReverseMatch:
        return None


# --- forms ---------------------------------------------------------------------------------------------------------

class CheckForm(StackedLabels, forms.Form):
    result = forms.ChoiceField(label=gettext_lazy("检查结果"), choices=CheckResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("情况说明"), required=False, max_length=3000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=gettext_lazy("佐证材料（照片、PDF、Office 文档）"), required=False,
                           widget=forms.ClearableFileInput(attrs=dict(FILE_ATTRS)))


class FieldRecordForm(StackedLabels, forms.Form):
    date = forms.DateField(label=gettext_lazy("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=gettext_lazy("地点"), required=False, max_length=200)
    subject = forms.CharField(label=gettext_lazy("对象"), required=False, max_length=200)
    interviewee = forms.CharField(label=gettext_lazy("谈话对象"), required=False, max_length=100,
                                  help_text=gettext_lazy("姓名及职务，如“张某某（村会计）”"))
    interviewers = forms.ModelMultipleChoiceField(label=gettext_lazy("谈话人（至少两名驻点组成员）"),
                                                  queryset=Person.objects.none(), required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    content = forms.CharField(label=gettext_lazy("主要内容"), required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    signed_record = forms.FileField(label=gettext_lazy("签字谈话笔录"), required=False,
                                    help_text=gettext_lazy("经谈话对象签字的笔录，拍照或扫描上传"),
                                    widget=forms.ClearableFileInput(attrs=dict(FILE_ATTRS)))
    attachments = MultipleFileField(label=gettext_lazy("照片和材料"), required=False,
                                    help_text=gettext_lazy("可选多份：照片、PDF、Word、Excel"),
                                    widget=MultipleFileInput(attrs=dict(FILE_ATTRS)))

    SUBJECT_HELP = {
        FieldMethod.REPORT_HEARD: gettext_lazy("如：村“两委”班子"),
        FieldMethod.DOCUMENTS_READ: gettext_lazy("如：2025年会计凭证、村民代表会议记录"),
        FieldMethod.QUESTIONNAIRE: gettext_lazy("如：三组村民，发放30份"),
        FieldMethod.HOUSEHOLD_VISIT: gettext_lazy("如：三组村民王某某家"),
        FieldMethod.ENTERPRISE_VISIT: gettext_lazy("如：某某农业合作社"),
        FieldMethod.COMPLAINT: gettext_lazy("反映人（可匿名）"),
    }

    def __init__(self, *args, station: Station, method: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        team = Person.objects.filter(stations__station=station).order_by("stations__slot__order", "name")
        self.fields["interviewers"].queryset = team
        if method == FieldMethod.INTERVIEW:
            for name in ("subject",):
                del self.fields[name]
            self.fields["interviewee"].required = True
            self.fields["signed_record"].required = True
        else:
            for name in ("interviewee", "interviewers", "signed_record"):
                del self.fields[name]
            self.fields["place"].required = True
            self.fields["subject"].required = True
            self.fields["subject"].help_text = self.SUBJECT_HELP.get(method, "")
        self.fields["content"].required = True
        for field in self.fields.values():
            if field.required:
                field.error_messages["required"] = _("请填写%(label)s") % {"label": field.label}
        if "signed_record" in self.fields:
            self.fields["signed_record"].error_messages["required"] = _("请上传经谈话对象签字的谈话笔录（拍照或扫描件）")


class AttachForm(StackedLabels, forms.Form):
    file = forms.FileField(label=gettext_lazy("补充照片或材料"), widget=forms.ClearableFileInput(attrs=dict(FILE_ATTRS)))


# --- the checklist -------------------------------------------------------------------------------------------------

def _checklist_context(request, station: Station, bound: dict | None = None) -> dict:
    bound = bound or {}
    checks = list(station.checks.select_related("item__version", "checked_by")
                  .prefetch_related("evidence").order_by("item__order", "item__code"))
    writable = _writable(request.user, station)
    finding_url = _finding_new_url(station) if writable else None
    labels = dict(Theme.choices)
    groups: dict[str, dict] = {}
    for check in checks:
        check.form = bound.get(check.pk) or (CheckForm(initial={"result": check.result, "note": check.note},
                                                       prefix=f"c{check.pk}") if writable else None)
        check.finding_url = (f"{finding_url}?check={check.pk}"
                             if finding_url and check.result == CheckResult.PROBLEM else None)
        group = groups.setdefault(check.item.theme, {"theme": labels.get(check.item.theme, check.item.theme),
                                                     "code": check.item.theme, "checks": [], "done": 0})
        group["checks"].append(check)
        group["done"] += check.result != CheckResult.UNCHECKED
    order = list(Theme.values)
    groups_sorted = sorted(groups.values(), key=lambda g: order.index(g["code"]) if g["code"] in order else 99)
    counts = Counter(c.result for c in checks)
    total = len(checks)
    done = total - counts.get(CheckResult.UNCHECKED, 0)
    return {
        "station": station,
        "batch": station.round.batch,
        "groups": groups_sorted,
        "version": checks[0].item.version if checks else None,
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "counts": [(label, counts.get(value, 0), value) for value, label in CheckResult.choices
                   if value != CheckResult.UNCHECKED],
        "writable": writable,
        "can_open": writable and not checks,
        "results": CheckResult,
    }


def station_checklist(request, pk):
    station = station_for_user(request.user, pk)
    return render(request, "rounds/checklist.html", _checklist_context(request, station))


@require_POST
def station_checklist_create(request, pk):
    """For a station that entered before it had a checklist (or before a version was published)."""
    station = station_for_user(request.user, pk, "work")
    if station.state not in WORK_STATES:
        raise Http404
    n = station_checklist_open(actor=request.user, station=station)
    if n:
        messages.success(request, _("已生成监督清单：%(n)d项") % {"n": n})
    else:
        messages.error(request, _("没有可用的监督清单版本"))
    return redirect("station_checklist", pk=station.pk)


@require_POST
def check_record_view(request, pk):
    check = get_object_or_404(StationCheck.objects.select_related("item"), pk=pk)
    station = station_for_user(request.user, check.station_id, "work")
    check.station = station
    form = CheckForm(request.POST, request.FILES, prefix=f"c{check.pk}")
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                from findings.services.evidence import evidence_check

                evidence_check(upload)  # refuse the file before the result is saved: nothing half-done
            check = check_record(actor=request.user, check=check, result=form.cleaned_data["result"],
                                 note=form.cleaned_data["note"])
            if upload:
                check.station = station
                check_evidence_add(actor=request.user, check=check, upload=upload)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_service_errors(form, error)
            else:
                form.add_error("file" if upload else None, error)
    if form.errors:
        context = _checklist_context(request, station, bound={check.pk: form})
        context["error_check"] = check.pk
        return render(request, "rounds/checklist.html", context)
    message = _("已记录：%(code)s %(result)s") % {"code": check.item.code, "result": check.get_result_display()}
    messages.success(request, message)
    return redirect(reverse("station_checklist", args=[station.pk]) + f"#check-{check.pk}")


# --- field records -------------------------------------------------------------------------------------------------

def _record_for_user(user, pk, action: str = "view") -> FieldRecord:
    record = get_object_or_404(FieldRecord.objects.select_related("recorded_by"), pk=pk)
    record.station = station_for_user(user, record.station_id, action)
    return record


def field_record_list(request, pk):
    station = station_for_user(request.user, pk)
    method = request.GET.get("method", "")
    if method not in FieldMethod.values:
        method = ""
    records = (station.field_records.select_related("recorded_by")
               .prefetch_related(Prefetch("interviewers", queryset=Person.objects.order_by("name")), "evidence"))
    counts = Counter(station.field_records.values_list("method", flat=True))
    if method:
        records = records.filter(method=method)
    return render(request, "rounds/field_record_list.html", {
        "station": station,
        "batch": station.round.batch,
        "records": list(records),
        "method": method,
        "methods": [(value, label, counts.get(value, 0)) for value, label in FieldMethod.choices],
        "total": sum(counts.values()),
        "writable": _writable(request.user, station),
        "signed": SIGNED_RECORD,
    })


def field_record_new(request, pk):
    station = station_for_user(request.user, pk, "work")
    if station.state not in WORK_STATES:
        messages.error(request, _("驻点处于“%(state)s”状态，不能记录驻点工作") % {"state": station.get_state_display()})
        return redirect("field_record_list", pk=station.pk)
    method = request.GET.get("method", "")
    if method not in FieldMethod.values:
        return render(request, "rounds/field_record_choose.html", {
            "station": station, "batch": station.round.batch, "methods": FieldMethod.choices})
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = FieldRecordForm(data, files, station=station, method=method)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            record = field_record_create(
                actor=request.user, station=station, method=method, date=cleaned["date"],
                content=cleaned["content"], place=cleaned.get("place", ""), subject=cleaned.get("subject", ""),
                interviewee=cleaned.get("interviewee", ""), interviewers=cleaned.get("interviewers") or [],
                signed_record=cleaned.get("signed_record"), attachments=cleaned.get("attachments") or [])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已保存走访记录：%(method)s") % {"method": record.get_method_display()})
            return redirect("field_record_detail", pk=record.pk)
    return render(request, "rounds/field_record_form.html", {
        "station": station, "batch": station.round.batch, "form": form, "method": method,
        "method_label": FieldMethod(method).label, "is_interview": method == FieldMethod.INTERVIEW,
        "files_lost": request.method == "POST" and bool(request.FILES),
    })


def field_record_detail(request, pk):
    record = _record_for_user(request.user, pk)
    station = record.station
    writable = _writable(request.user, station)
    form = None
    if request.method == "POST":
        if not can_work(request.user, station):
            raise Http404
        form = AttachForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                field_record_attach(actor=request.user, record=record, upload=form.cleaned_data["file"])
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, _("已上传材料"))
                return redirect("field_record_detail", pk=record.pk)
    elif writable:
        form = AttachForm()
    return render(request, "rounds/field_record_detail.html", {
        "station": station, "batch": station.round.batch, "record": record,
        "interviewers": list(record.interviewers.order_by("name")),
        "evidence": list(record.evidence.all()), "form": form,
        "signed": SIGNED_RECORD, "is_interview": record.method == FieldMethod.INTERVIEW,
    })


urlpatterns = [
    path("stations/<int:pk>/checklist/", station_checklist, name="station_checklist"),
    path("stations/<int:pk>/checklist/open/", station_checklist_create, name="station_checklist_open"),
    path("checks/<int:pk>/record/", check_record_view, name="check_record"),
    path("stations/<int:pk>/records/", field_record_list, name="field_record_list"),
    path("stations/<int:pk>/records/new/", field_record_new, name="field_record_new"),
    path("records/<int:pk>/", field_record_detail, name="field_record_detail"),
]
