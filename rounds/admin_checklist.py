"""Django admin for the checklist library (监督清单): administrators edit a draft version's items; a published
version is read-only. Actions: "新建修订草稿" copies a version into a new draft, "发布" publishes a draft as the next
version number (rounds.services.fieldwork). Every change is mirrored into the audit trail."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from supervision.audit import audit_record
from supervision.roles import Role, user_roles

from .models import ChecklistItem, ChecklistVersion
from .services.fieldwork import checklist_draft_from, checklist_publish


def _is_admin(user) -> bool:
    # The library is the administrators' (系统管理员) to edit; the role's permissions live here, with the admin.
    return user.is_active and (user.is_superuser or Role.ADMIN in user_roles(user))


def _is_draft(obj) -> bool:
    return obj is not None and obj.published_at is None


class ItemInline(admin.StackedInline):
    model = ChecklistItem
    extra = 0
    fields = [("code", "theme", "order"), "text", "guidance", "basis"]
    formfield_overrides = {
        ChecklistItem._meta.get_field("guidance").__class__: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 90})},
    }

    def has_view_permission(self, request, obj=None):
        return _is_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return _is_admin(request.user) and _is_draft(obj)

    def has_change_permission(self, request, obj=None):
        return _is_admin(request.user) and _is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return _is_admin(request.user) and _is_draft(obj)


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "item_count", "published_at", "note"]
    fields = ["number", "published_at", "note"]
    readonly_fields = ["number", "published_at"]
    inlines = [ItemInline]
    actions = ["draft_from", "publish"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("items"))

    @admin.display(description=gettext_lazy("状态"))
    def status(self, obj):
        return _("已发布") if obj.published_at else _("草稿")

    @admin.display(description=gettext_lazy("事项数"))
    def item_count(self, obj):
        return obj.n_items

    def has_module_permission(self, request):
        return _is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_admin(request.user)

    def has_add_permission(self, request):
        return False  # a draft is made from a version with the action, so it starts from the current items

    def has_change_permission(self, request, obj=None):
        # Without an object this opens the list and its actions; a published version itself is read-only.
        return _is_admin(request.user) and (obj is None or _is_draft(obj))

    def has_delete_permission(self, request, obj=None):
        return _is_admin(request.user) and _is_draft(obj)

    @admin.action(description=gettext_lazy("新建修订草稿（复制所选版本的事项）"))
    def draft_from(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个版本"), messages.ERROR)
            return
        try:
            draft = checklist_draft_from(actor=request.user, version=queryset.get())
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return
        self.message_user(request, _("已新建%(version)s（草稿），修改事项后请发布") % {"version": draft})

    @admin.action(description=gettext_lazy("发布"))
    def publish(self, request, queryset):
        for version in queryset.order_by("number"):
            try:
                version = checklist_publish(actor=request.user, version=version)
            except ValidationError as error:
                self.message_user(request, "；".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, _("已发布%(version)s，此后进驻的驻点使用该版本") % {"version": version})

    # The admin's own change log is mirrored into the audit trail, as for team formulas.
    def log_change(self, request, obj, message):
        audit_record(actor=request.user, action="checklist.update", obj=obj,
                     changes={"checklist": {"before": "", "after": str(message)[:500]}})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="checklist.delete", obj=obj,
                         changes={"checklist": {"before": str(obj), "after": ""}})
        return super().log_deletions(request, queryset)
