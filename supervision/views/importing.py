"""Excel import pages: download a template, upload, see every bad row or the count imported."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from ..documents import document_response
from ..forms import ImportForm
from ..services.importing import ImportFileError, import_template, people_import, units_import
from .common import require_perm

KINDS = {
    # kind: (permission needed, import service)
    "units": ("supervision.add_unit", units_import),
    "people": ("supervision.add_person", people_import),
}
TITLES = {"units": gettext_lazy("导入单位"), "people": gettext_lazy("导入人员")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind_or_404(request, kind):
    if kind not in KINDS:
        raise Http404
    require_perm(request.user, KINDS[kind][0])
    return KINDS[kind][1]


def import_home(request):
    require_perm(request.user, "supervision.add_person")
    return render(request, "supervision/import_home.html", {
        "can_units": request.user.has_perm("supervision.add_unit"),
    })


def import_template_download(request, kind):
    _kind_or_404(request, kind)
    return document_response(import_template(kind), content_type=XLSX, filename=f"{kind}-template.xlsx")


@require_http_methods(["GET", "POST"])
def import_upload(request, kind):
    service = _kind_or_404(request, kind)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = service(actor=request.user, upload=form.cleaned_data["file"])
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if result.ok:
                messages.success(request, ngettext("导入成功：共 %(n)d 条", "导入成功：共 %(n)d 条", result.created)
                                 % {"n": result.created})
                return redirect("unit_list" if kind == "units" else "person_list")
    return render(request, "supervision/import_upload.html", {
        "form": form, "kind": kind, "title": TITLES[kind], "result": result,
    }, status=400 if form.errors or (result is not None and not result.ok) else 200)
