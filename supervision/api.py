"""REST API (read side of the organisation for now). Scoped with the same selectors as the pages."""

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers, serializers, viewsets

from findings import api as findings_api
from rounds import api as rounds_api

from .models import Person, Unit
from .selectors import people_visible_to, units_visible_to


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "parent", "covered_by", "code", "is_active"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name", "category", "home_unit", "post", "phone", "is_active"]


# Plain id filters: a choice filter over all units answers 400 for an id that does not exist and 200 for one the
# user may not see, telling an outsider which units exist. Here both are an empty list.
class UnitFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = Unit
        fields = ["kind", "parent"]


class PersonFilter(django_filters.FilterSet):
    home_unit = django_filters.NumberFilter(field_name="home_unit_id")

    class Meta:
        model = Person
        fields = ["category", "home_unit"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    queryset = Unit.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return units_visible_to(self.request.user).order_by("id")


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    queryset = Person.objects.none()

    def get_queryset(self):
        return people_visible_to(self.request.user).order_by("id")


router = routers.DefaultRouter()
router.register("units", UnitViewSet, basename="api-unit")
router.register("people", PersonViewSet, basename="api-person")

# The API answers 401/403 itself instead of redirecting to the login page.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    *router.urls,
    *rounds_api.urlpatterns,
    *findings_api.urlpatterns,
]
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
