"""Django admin for team formulas: administrators add and edit formulas as data. Batches, stations and teams
are managed on their own pages, through the services."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from supervision.audit import audit_record
from supervision.models import PersonCategory

from .models import FormulaSlot, TeamFormula


class SlotFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        valid = {c.value for c in PersonCategory}
        leaders = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            categories = form.cleaned_data.get("categories") or []
            if not isinstance(categories, list) or not categories or set(categories) - valid:
                form.add_error("categories", _("请填写人员类别代码列表，可选：%(codes)s") % {"codes": ", ".join(sorted(valid))})
            if (form.cleaned_data.get("count") or 0) < 1:
                form.add_error("count", _("人数至少为1"))
            leaders += bool(form.cleaned_data.get("is_leader"))
        if leaders != 1:
            raise ValidationError(_("每个组队模式须有且只有一个组长角色"))


class SlotInline(admin.TabularInline):
    model = FormulaSlot
    formset = SlotFormSet
    extra = 0
    fields = ["order", "label", "categories", "count", "is_minimum", "planned_count", "is_leader", "one_per_unit"]


@admin.register(TeamFormula)
class TeamFormulaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "description"]
    inlines = [SlotInline]

    # The admin's own change log is mirrored into the audit trail, so formula edits are audited like the rest.
    def log_addition(self, request, obj, message):
        audit_record(actor=request.user, action="formula.create", obj=obj,
                     changes={"formula": {"before": "", "after": obj.name}})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit_record(actor=request.user, action="formula.update", obj=obj,
                     changes={"formula": {"before": "", "after": str(message)[:500]}})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="formula.delete", obj=obj,
                         changes={"formula": {"before": obj.name, "after": ""}})
        return super().log_deletions(request, queryset)


from . import admin_checklist  # noqa: E402,F401
