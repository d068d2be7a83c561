"""Views of rounds: questionnaires (调查问卷). Commission staff keep the templates; a station's team publishes
one on the station's public page, closes it, reads the aggregated results and exports them to Excel. Each
module owns its urlpatterns; rounds/urls.py joins them. (Villagers answer on the public pages, in public.py.)"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from supervision.documents import document_response
from supervision.forms import StackedLabels
from supervision.views.common import apply_service_errors, paginate

from ..access import can_plan, can_work, station_for_user
from ..models import QuestionKind, Questionnaire, StationQuestionnaire
from ..services.questionnaires import (
    questionnaire_create,
    questionnaire_in_use,
    questionnaire_results,
    questionnaire_update,
    results_workbook,
    station_questionnaire_close,
    station_questionnaire_publish,
)
from ..states import ACCEPTS_COMPLAINTS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------- templates

class QuestionnaireForm(StackedLabels, forms.Form):
    title = forms.CharField(label=gettext_lazy("问卷标题"), max_length=100)
    intro = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=gettext_lazy("显示在问卷开头，如调查目的、匿名说明"))
    is_active = forms.BooleanField(label=gettext_lazy("在用（驻点可以选用）"), required=False, initial=True)


class QuestionForm(StackedLabels, forms.Form):
    text = forms.CharField(label=gettext_lazy("题目"), max_length=300)
    kind = forms.ChoiceField(label=gettext_lazy("题型"), choices=QuestionKind.choices, initial=QuestionKind.SINGLE)
    options = forms.CharField(label=gettext_lazy("选项（每行一个）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    required = forms.BooleanField(label=gettext_lazy("必答"), required=False, initial=True)

    def clean_options(self):
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True, max_num=50, validate_max=True)


def _planner(request) -> None:
    if not can_plan(request.user):
        raise Http404


@require_GET
def questionnaire_list(request):
    _planner(request)
    page = paginate(request, Questionnaire.objects.order_by("-is_active", "title", "id"))
    return render(request, "rounds/questionnaire_list.html", {"page": page})


def _questions_of(formset) -> list[dict]:
    questions = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        questions.append({"text": data["text"], "kind": data["kind"], "options": data["options"],
                          "required": data["required"]})
    return questions


def _initial_questions(questionnaire: Questionnaire) -> list[dict]:
    return [{"text": q.text, "kind": q.kind, "options": "\n".join(q.options), "required": q.required}
            for q in questionnaire.questions.all()]


@require_http_methods(["GET", "POST"])
def questionnaire_edit(request, pk=None):
    _planner(request)
    questionnaire = get_object_or_404(Questionnaire, pk=pk) if pk else None
    in_use = bool(questionnaire) and questionnaire_in_use(questionnaire)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        formset = QuestionFormSet(request.POST, prefix="q")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            try:
                if questionnaire is None:
                    questionnaire = questionnaire_create(actor=request.user, title=data["title"],
                                                         intro=data["intro"], questions=_questions_of(formset),
                                                         is_active=data["is_active"])
                else:
                    questionnaire_update(actor=request.user, questionnaire=questionnaire, title=data["title"],
                                         intro=data["intro"], is_active=data["is_active"],
                                         questions=_questions_of(formset))
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("问卷“%(title)s”已保存") % {"title": questionnaire.title})
                return redirect("questionnaire_list")
        status = 400
    else:
        status = 200
        if questionnaire is None:
            form = QuestionnaireForm()
            formset = QuestionFormSet(prefix="q")
        else:
            form = QuestionnaireForm(initial={"title": questionnaire.title, "intro": questionnaire.intro,
                                              "is_active": questionnaire.is_active})
            formset = QuestionFormSet(prefix="q", initial=_initial_questions(questionnaire))
    return render(request, "rounds/questionnaire_form.html",
                  {"form": form, "formset": formset, "questionnaire": questionnaire, "in_use": in_use},
                  status=status)


# ---------------------------------------------------------------------------------------------- a station's

class PublishForm(forms.Form):
    questionnaire = forms.ModelChoiceField(queryset=Questionnaire.objects.filter(is_active=True))


def _station_questionnaire(station) -> StationQuestionnaire | None:
    return (StationQuestionnaire.objects.filter(station=station)
            .select_related("questionnaire").first())


@require_http_methods(["GET", "POST"])
def station_questionnaire(request, pk):
    station = station_for_user(request.user, pk)
    works = can_work(request.user, station)
    if request.method == "POST":
        if not works:
            raise Http404
        op = request.POST.get("op")
        try:
            if op == "close":
                station_questionnaire_close(actor=request.user, station=station)
                messages.success(request, _("问卷已关闭，群众不能再作答"))
            else:
                form = PublishForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("请选择要发布的问卷"))
                current = station_questionnaire_publish(actor=request.user, station=station,
                                                        questionnaire=form.cleaned_data["questionnaire"])
                messages.success(request, _("问卷“%(title)s”已发布到驻点公开页") % {
                    "title": current.questionnaire.title})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("station_questionnaire", pk=station.pk)
    current = _station_questionnaire(station)
    results = questionnaire_results(current) if current else None
    choices = list(Questionnaire.objects.filter(is_active=True).order_by("title").only("id", "title"))
    return render(request, "rounds/questionnaire_station.html", {
        "station": station,
        "current": current,
        "results": results,
        "can_work": works,
        "can_plan": can_plan(request.user),
        "can_publish": works and station.state in ACCEPTS_COMPLAINTS,
        "locked": bool(results and results.total),
        "choices": choices,
    })


@require_GET
def station_questionnaire_export(request, pk):
    station = station_for_user(request.user, pk)
    current = _station_questionnaire(station)
    if current is None:
        raise Http404
    current.station = station
    return document_response(results_workbook(current), content_type=XLSX,
                             filename=f"questionnaire-{station.pk}.xlsx")


urlpatterns = [
    path("questionnaires/", questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", questionnaire_edit, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", questionnaire_edit, name="questionnaire_edit"),
    path("stations/<int:pk>/questionnaire/", station_questionnaire, name="station_questionnaire"),
    path("stations/<int:pk>/questionnaire/export.xlsx", station_questionnaire_export,
         name="station_questionnaire_export"),
]
