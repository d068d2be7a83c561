"""Django admin for the organisation. Saves go through the same services as the pages.

Plain ModelAdmin, not guardian's GuardedModelAdmin: its "object permissions" pages would let an administrator grant
a user view_unit on any unit, which makes that user the unit's liaison (supervision.access) outside the account
service and without an audit event. Liaisons are set on the account (account_create / account_set_roles) only."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, ConflictDeclaration, Person, Unit
from .services.organisation import (
    PERSON_FIELDS,
    UNIT_FIELDS,
    person_create,
    person_update,
    unit_create,
    unit_update,
)

admin.site.site_header = _("巡回驻点监督 · 系统管理")
admin.site.site_title = _("巡回驻点监督")


class ServiceAdminMixin:
    """Route admin saves through the write services, so validation and the audit trail are the same."""

    fields_for_service: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in self.fields_for_service if f in form.cleaned_data}
        if change:
            self.update(actor=request.user, obj=obj, **data)
        else:
            data.pop("is_active", None)
            created = self.create(actor=request.user, **data)
            obj.pk = created.pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        service_admin = self

        class ServiceValidatedForm(form):
            def _post_clean(inner):
                super()._post_clean()
                instance = inner.instance
                try:
                    service_admin.validate(instance)
                except ValidationError as error:
                    inner._update_errors(error)

        return ServiceValidatedForm

    def validate(self, instance) -> None:
        pass


@admin.register(Unit)
class UnitAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent", "covered_by"]
    fields_for_service = UNIT_FIELDS

    def create(self, actor, **data):
        return unit_create(actor=actor, **data)

    def update(self, actor, obj, **data):
        unit_update(actor=actor, unit=obj, **data)

    def validate(self, instance):
        from .services.organisation import unit_validate

        unit_validate(instance)


class ConflictInline(admin.TabularInline):
    model = ConflictDeclaration
    extra = 0
    fields = ["unit", "reason", "detail", "declared_at", "declared_by"]
    readonly_fields = ["unit", "reason", "detail", "declared_at", "declared_by"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # declarations are added on the person's page, through the service


@admin.register(Person)
class PersonAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ["name", "category", "home_unit", "post", "phone", "user", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "phone", "home_unit__name"]
    list_select_related = ["home_unit", "user"]
    autocomplete_fields = ["home_unit"]
    readonly_fields = ["user"]
    inlines = [ConflictInline]
    fields_for_service = PERSON_FIELDS

    def create(self, actor, **data):
        return person_create(actor=actor, **data)

    def update(self, actor, obj, **data):
        person_update(actor=actor, person=obj, **data)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the trail is appended by the services and never edited."""

    list_display = ["created_at", "sequence", "actor_name", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr", "action"]
    date_hierarchy = "created_at"
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
