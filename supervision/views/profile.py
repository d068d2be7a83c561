"""A unit's profile (政治生态画像) and the annual assessment feed (党风廉政建设责任制考核): thin views over
supervision.profile and supervision.assessment. Who may not see a page gets a 404."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from ..assessment import assessment_rows, assessment_workbook, can_see_assessment, columns, weight_list
from ..profile import profile_unit_for_user, unit_profile

YEARS_BACK = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unit_profile_view(request, pk):
    unit, as_liaison = profile_unit_for_user(request.user, pk)
    return render(request, "supervision/unit_profile.html", unit_profile(request.user, unit, as_liaison))


def _year(request, today) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= today.year + 1:
        return int(value)
    return today.year


def assessment(request):
    if not can_see_assessment(request.user):
        raise Http404
    today = timezone.localdate()
    year = _year(request, today)
    years = list(range(today.year, today.year - YEARS_BACK, -1))
    if year not in years:
        years.append(year)
    cols = columns()
    rows = [{"pk": row["pk"], "cells": [{"key": key, "label": heading, "value": row[key]} for key, heading in cols]}
            for row in assessment_rows(request.user, year, today)]
    return render(request, "supervision/assessment.html", {
        "year": year, "years": years, "columns": cols, "weights": weight_list(), "rows": rows, "today": today,
    })


def assessment_export(request, year):
    if not can_see_assessment(request.user):
        raise Http404
    today = timezone.localdate()
    if not 2000 <= year <= today.year + 1:
        raise Http404
    content = assessment_workbook(assessment_rows(request.user, year, today), year)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{year}.xlsx"'
    return response


urlpatterns = [
    path("units/<int:pk>/profile/", unit_profile_view, name="unit_profile"),
    path("assessment/", assessment, name="assessment"),
    path("assessment/<int:year>.xlsx", assessment_export, name="assessment_export"),
]
