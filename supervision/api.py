"""REST API: the organisation (units, people, conflict declarations) here, and the URL conf of the whole API under
/api/: rounds, a station's work (findings/api.py), results (findings/api_results.py), rectification; the OpenAPI
schema, its docs (Swagger UI at /api/docs/, its assets served locally from
drf-spectacular-sidecar) and the token endpoint. Scoped with the same selectors as the pages; every object through
supervision.access, every write through supervision.services.organisation with the pages' permissions (a role the
page does not open gets its 404), a refusal as the 400 of rounds/api.py.

Authentication: the session (the browser) or a token ("Authorization: Token <key>"). A user gets their token with
POST /api/token/ (username, password): the same authentication as the login page (so its throttling applies), an
inactive account gets none, and each issue is an audit event "auth.token". A token is the user: it carries exactly
the user's permissions."""

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions, routers, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from findings import api as findings_api
from findings import api_results as results_api
from rectification import api as rectification_api
from rounds import api as rounds_api
from rounds.api import (
    AccessRetrieveMixin,
    CountlessPagination,
    IdFilter,
    VisiblePersonField,
    VisibleUnitField,
    documented,
    service_refusals,
    validated,
)

from .access import conflict_for_user, person_for_user, unit_for_user
from .audit import audit_record
from .models import ConflictDeclaration, ConflictReason, Person, Unit, UnitKind
from .security import lockout_message
from .selectors import people_visible_to, units_visible_to
from .services.organisation import (
    conflict_declare,
    conflict_withdraw,
    person_create,
    person_update,
    unit_create,
    unit_update,
)
from .views.common import require_perm

# --- output -------------------------------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    """A unit. Also the input of its creation (POST) and change (PATCH: the fields given), with the choices of the
    page's form (a parent, a covering group among the units the user sees); the service checks the tree's rules."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    parent = VisibleUnitField(required=False, allow_null=True, help_text="上级单位（按单位类型须有或须无）")
    covered_by = VisibleUnitField(kinds=[UnitKind.DISPATCHED_GROUP], required=False, allow_null=True,
                                  help_text="对口监督的派驻纪检监察组")

    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "kind_display", "parent", "covered_by", "code", "organ_name", "doc_prefix",
                  "address", "phone", "is_active"]
        validators = []  # uniqueness and the rest: the service's checks, with its messages


class PersonSerializer(serializers.ModelSerializer):
    """A person of the cadre pool; also the input of creation (POST) and change (PATCH: the fields given)."""

    category_display = serializers.CharField(source="get_category_display", read_only=True)
    home_unit = VisibleUnitField()

    class Meta:
        model = Person
        fields = ["id", "name", "category", "category_display", "home_unit", "post", "phone", "note", "is_active"]
        validators = []


class ConflictSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = ConflictDeclaration
        fields = ["id", "person", "person_name", "unit", "unit_name", "reason", "reason_display", "detail",
                  "declared_at"]


# --- input ------------------------------------------------------------------------------------------------------


class ConflictCreateSerializer(serializers.Serializer):
    person = VisiblePersonField()
    unit = VisibleUnitField(help_text="须回避的单位")
    reason = serializers.ChoiceField(choices=ConflictReason.choices)
    detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# Plain id filters: a choice filter over all units answers 400 for an id that does not exist and 200 for one the
# user may not see, telling an outsider which units exist. Here both are an empty list.
class UnitFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id")

    class Meta:
        model = Unit
        fields = ["kind", "parent"]


class PersonFilter(django_filters.FilterSet):
    home_unit = IdFilter(field_name="home_unit_id")

    class Meta:
        model = Person
        fields = ["category", "home_unit"]


class ConflictFilter(django_filters.FilterSet):
    person = IdFilter(field_name="person_id")
    unit = IdFilter(field_name="unit_id")

    class Meta:
        model = ConflictDeclaration
        fields = ["person", "unit"]


# --- views: reads scoped like the pages, writes through the organisation services with the pages' permissions -------


class UnitViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    queryset = Unit.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"  # anything else is a 404 from the URL conf

    def get_queryset(self):
        return units_visible_to(self.request.user).order_by("id")

    def access(self, request, pk):
        return unit_for_user(request.user, pk)

    @documented("新增单位（系统管理员）：单位类型决定上级单位，规则与页面相同。", request=UnitSerializer,
                response=UnitSerializer, code=201)
    def create(self, request):
        require_perm(request.user, "supervision.add_unit")
        data = validated(UnitSerializer, request)
        data.pop("is_active", None)  # a new unit is in use, as on the page
        with service_refusals():
            unit = unit_create(actor=request.user, **data)
        return Response(self.fresh(unit), status=status.HTTP_201_CREATED)

    @documented("修改单位（只改所给的字段）；停用填 is_active=false。", request=UnitSerializer,
                response=UnitSerializer)
    def partial_update(self, request, pk=None):
        unit = unit_for_user(request.user, pk, "change")
        data = validated(UnitSerializer, request, partial=True)
        with service_refusals():
            unit_update(actor=request.user, unit=unit, **data)
        return Response(self.fresh(unit))


class PersonViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    queryset = Person.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return people_visible_to(self.request.user).order_by("id")

    def access(self, request, pk):
        return person_for_user(request.user, pk)

    @documented("新增人员（抽调人员库）。", request=PersonSerializer, response=PersonSerializer, code=201)
    def create(self, request):
        require_perm(request.user, "supervision.add_person")
        data = validated(PersonSerializer, request)
        data.pop("is_active", None)
        with service_refusals():
            person = person_create(actor=request.user, **data)
        return Response(self.fresh(person), status=status.HTTP_201_CREATED)

    @documented("修改人员（只改所给的字段）；停用填 is_active=false。", request=PersonSerializer,
                response=PersonSerializer)
    def partial_update(self, request, pk=None):
        person = person_for_user(request.user, pk, "change")
        data = validated(PersonSerializer, request, partial=True)
        with service_refusals():
            person_update(actor=request.user, person=person, **data)
        return Response(self.fresh(person))


class ConflictViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Recusal declarations (回避申报): a person and a unit they must not supervise (their own unit is implied)."""

    serializer_class = ConflictSerializer
    filterset_class = ConflictFilter
    pagination_class = CountlessPagination
    queryset = ConflictDeclaration.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        if not self.request.user.has_perm("supervision.view_conflictdeclaration"):
            return ConflictDeclaration.objects.none()
        return ConflictDeclaration.objects.select_related("person", "unit").order_by("-declared_at", "-id")

    def access(self, request, pk):
        return conflict_for_user(request.user, pk)

    @documented("登记回避申报。", request=ConflictCreateSerializer, response=ConflictSerializer, code=201)
    def create(self, request):
        require_perm(request.user, "supervision.add_conflictdeclaration")
        data = validated(ConflictCreateSerializer, request)
        person = person_for_user(request.user, data.pop("person").pk)
        with service_refusals():
            declaration = conflict_declare(actor=request.user, person=person, **data)
        return Response(self.fresh(declaration), status=status.HTTP_201_CREATED)

    @extend_schema(responses={204: None}, description="撤销回避申报。")
    def destroy(self, request, pk=None):
        declaration = conflict_for_user(request.user, pk, "delete")
        conflict_withdraw(actor=request.user, declaration=declaration)
        return Response(status=status.HTTP_204_NO_CONTENT)


TokenSerializer = inline_serializer("IssuedToken", {"token": serializers.CharField()})


class PostOrAuthenticated(permissions.BasePermission):
    """Anyone may POST credentials; any other method, like the rest of the API, wants a logged-in user (so an
    anonymous GET is a 403, not a 405 that would single this route out)."""

    def has_permission(self, request, view):
        return request.method == "POST" or bool(request.user and request.user.is_authenticated)


class TokenRequestSerializer(AuthTokenSerializer):
    """DRF's credentials, bounded like the login form's: an over-long user name is refused before authentication
    (django-axes would record the failure in a 255-character column)."""

    username = serializers.CharField(label="用户名", write_only=True, max_length=150)
    password = serializers.CharField(label="密码", style={"input_type": "password"}, trim_whitespace=False,
                                     write_only=True, max_length=4096)


class TokenView(ObtainAuthToken):
    """POST username + password: the user's API token (made on first use). Audited as "auth.token"."""

    permission_classes = [PostOrAuthenticated]

    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer},
                   description="用户名和密码换取API令牌（令牌与该用户权限相同）。每次获取均记入审计日志。")
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):  # django-axes refused it: the same answer as the login page
                return Response({"detail": lockout_message()}, status=429)
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, created = Token.objects.get_or_create(user=user)
        audit_record(actor=user, action="auth.token", obj=user,
                     changes={"token": {"before": "", "after": "created" if created else "issued"}})
        return Response({"token": token.key})


class Router(routers.DefaultRouter):
    """The API root and the organisation's routes; one URL per resource (JSON is the format), like the apps'
    SimpleRouters: no /units.json twins."""

    include_format_suffixes = False


router = Router(use_regex_path=False)  # <int:pk>: typed in the schema, as in the apps' routers
router.register("units", UnitViewSet, basename="api-unit")
router.register("people", PersonViewSet, basename="api-person")
router.register("conflicts", ConflictViewSet, basename="api-conflict")

# The API answers 401/403 itself instead of redirecting to the login page.
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's start script as a file of its own (no inline script: a strict CSP may stay on).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("token/", TokenView.as_view(), name="api-token"),
    *router.urls,
    *rounds_api.urlpatterns,
    *findings_api.urlpatterns,
    *results_api.urlpatterns,
    *rectification_api.urlpatterns,
]
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
