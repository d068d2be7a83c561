"""REST API: the organisation (units, people) here, and the URL conf of the whole API under /api/: rounds, findings,
results (findings/api_results.py), rectification; the OpenAPI schema, its docs (Swagger UI at /api/docs/, Redoc at
/api/redoc/, their assets served locally from drf-spectacular-sidecar) and the token endpoint. Scoped with the same
selectors as the pages.

Authentication: the session (the browser) or a token ("Authorization: Token <key>"). A user gets their token with
POST /api/token/ (username, password): the same authentication as the login page (so its throttling applies), an
inactive account gets none, and each issue is an audit event "auth.token". A token is the user: it carries exactly
the user's permissions."""

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import permissions, routers, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

from findings import api as findings_api
from findings import api_results as results_api
from rectification import api as rectification_api
from rounds import api as rounds_api

from .audit import audit_record
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


TokenSerializer = inline_serializer("IssuedToken", {"token": serializers.CharField()})


class PostOrAuthenticated(permissions.BasePermission):
    """Anyone may POST credentials; any other method, like the rest of the API, wants a logged-in user (so an
    anonymous GET is a 403, not a 405 that would single this route out)."""

    def has_permission(self, request, view):
        return request.method == "POST" or bool(request.user and request.user.is_authenticated)


class TokenView(ObtainAuthToken):
    """POST username + password: the user's API token (made on first use). Audited as "auth.token"."""

    permission_classes = [PostOrAuthenticated]

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer},
                   description="用户名和密码换取API令牌（令牌与该用户权限相同）。每次获取均记入审计日志。")
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action="auth.token", obj=user,
                     changes={"token": {"before": "", "after": "created" if created else "issued"}})
        return Response({"token": token.key})


REDOC_PAGE = engines["django"].from_string("""<!DOCTYPE html>
<html lang="zh-hans"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><redoc spec-url="{{ schema_url }}"></redoc><script src="{{ redoc_standalone }}"></script></body></html>""")


class RedocView(SpectacularRedocView):
    """drf-spectacular's Redoc page loads Google fonts; this one loads nothing from outside (intranet)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return HttpResponse(REDOC_PAGE.render({
            "title": self.title, "schema_url": self._get_schema_url(request),
            "redoc_standalone": self._redoc_standalone(),
        }))


router = routers.DefaultRouter()
router.register("units", UnitViewSet, basename="api-unit")
router.register("people", PersonViewSet, basename="api-person")

# The API answers 401/403 itself instead of redirecting to the login page.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start script as a file of its own (no inline script: a strict CSP may stay on).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("token/", TokenView.as_view(), name="api-token"),
    *router.urls,
    *rounds_api.urlpatterns,
    *findings_api.urlpatterns,
    *results_api.urlpatterns,
    *rectification_api.urlpatterns,
]
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
