from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConflictDeclaration, Person, Unit, UnitKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (field records, rectification progress); the service checks each one
    (content, size, name)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class StackedLabels:
    """Labels sit above their fields on every screen width, so they need no trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class UnitForm(StackedLabels, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "kind", "parent", "covered_by", "code", "organ_name", "doc_prefix", "address", "phone",
                  "is_active"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = units if units is not None else Unit.objects.all()
        parents = units.exclude(kind__in=[UnitKind.VILLAGE, UnitKind.COMMUNITY])
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents.order_by("kind", "name")
        self.fields["covered_by"].queryset = units.filter(kind=UnitKind.DISPATCHED_GROUP)

    def _post_clean(self):
        # Validation is the service's job (it knows the tree rules); the view reports its errors on this form.
        pass


class PersonForm(StackedLabels, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "category", "home_unit", "post", "phone", "note", "is_active"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["home_unit"].queryset = units.select_related("parent").order_by("kind", "name")
        self.fields["home_unit"].label_from_instance = lambda u: u.full_name

    def _post_clean(self):
        pass


class ConflictForm(StackedLabels, forms.ModelForm):
    class Meta:
        model = ConflictDeclaration
        fields = ["unit", "reason", "detail"]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units.select_related("parent").order_by("kind", "name")
        self.fields["unit"].label_from_instance = lambda u: u.full_name

    def _post_clean(self):
        pass


class ImportForm(StackedLabels, forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("仅限 .xlsx，最大 20 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
