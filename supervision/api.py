"""REST API (read side of the organisation for now). Scoped with the same selectors as the pages."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers, serializers, viewsets

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


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_fields = ["kind", "parent"]
    queryset = Unit.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return units_visible_to(self.request.user).order_by("id")


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    filterset_fields = ["category", "home_unit"]
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
]
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
