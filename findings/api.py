"""REST API of findings. Its urlpatterns are mounted under /api/ by supervision/api.py (which wraps them with
login_not_required, so the API answers 401/403 itself).

As in rounds/api.py: reads are scoped to the stations the user may see, every object goes through the same access
helper as the pages (anything not visible, or not to be acted on, is a 404), every write calls the same service as
the pages and a refusal is a 400 whose "detail" lists the service's own messages."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from rounds.access import station_for_user
from rounds.api import refused
from rounds.models import Station, StationCheck, Theme
from rounds.selectors import stations_visible_to
from supervision.models import Unit

from .access import evidence_for_user, finding_for_user
from .models import Evidence, Finding, FindingState
from .services.findings import finding_confirm, finding_create, finding_evidence_add, finding_withdraw
from .views.findings import evidence_response

# --- pagination -------------------------------------------------------------------------------------------------


class CountlessPagination(PageNumberPagination):
    """Page numbers without COUNT(*): the big lists (sheets, leads, letters, items) may hold millions of rows, and
    counting every visible row on every page costs more than the page itself. One query of page_size + 1 rows says
    whether a next page exists. The answer has "next", "previous" and "results" (no "count"); "page_size" (at most
    200) may be asked for."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = self.get_page_size(request)
        try:
            self.number = int(request.query_params.get(self.page_query_param, 1))
        except (TypeError, ValueError):
            self.number = 1
        if self.number < 1:
            self.number = 1
        start = (self.number - 1) * size
        rows = list(queryset[start:start + size + 1])
        self.has_next = len(rows) > size
        return rows[:size]

    def _link(self, number):
        from rest_framework.utils.urls import remove_query_param, replace_query_param

        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        return Response({
            "next": self._link(self.number + 1) if self.has_next else None,
            "previous": self._link(self.number - 1) if self.number > 1 else None,
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


# --- output -----------------------------------------------------------------------------------------------------


class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "finding", "original_name", "content_type", "size", "sha256", "description", "uploaded_at",
                  "download"]

    def get_download(self, evidence) -> str:
        return f"/api/evidence/{evidence.pk}/download/"


class FindingSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    found_by_name = serializers.CharField(source="found_by.name", read_only=True, default="")
    evidence_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "station", "number", "sequence", "title", "observed", "basis", "category", "category_display",
                  "amount", "responsible_unit", "responsible_person", "found_by", "found_by_name", "found_on",
                  "team_opinion", "station_check", "state", "state_display", "confirmed_at", "withdraw_reason",
                  "evidence_count", "created_at", "updated_at"]


ErrorSerializer = inline_serializer("FindingsError", {
    "detail": serializers.ListField(child=serializers.CharField(), help_text="服务层给出的全部理由"),
})

# --- input ------------------------------------------------------------------------------------------------------


AMOUNT_ERRORS = {
    "invalid": _("涉及金额须为数字（单位：元）"),
    "min_value": _("涉及金额不能为负数"),
    "max_decimal_places": _("涉及金额最多保留两位小数（精确到分）"),
    "max_digits": _("涉及金额过大，请核对（单位：元）"),
    "max_whole_digits": _("涉及金额过大，请核对（单位：元）"),
}


@extend_schema_field(OpenApiTypes.INT)
class VisibleStationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return stations_visible_to(self.context["request"].user)


class FindingCreateSerializer(serializers.Serializer):
    station = VisibleStationField()
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    observed = serializers.CharField()
    basis = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Theme.choices, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True,
                                      default=None, help_text="涉及金额，单位元，精确到分",
                                      error_messages=AMOUNT_ERRORS)
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False,
                                                          allow_null=True, default=None)
    responsible_person = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    found_on = serializers.DateField(required=False, allow_null=True, default=None)
    team_opinion = serializers.CharField(required=False, allow_blank=True, default="")
    station_check = serializers.PrimaryKeyRelatedField(queryset=StationCheck.objects.all(), required=False,
                                                       allow_null=True, default=None,
                                                       help_text="从清单事项打开：标题、类别、依据按事项预填")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class EvidenceUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF、图片或 Office 文档；按内容识别类型")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- views ------------------------------------------------------------------------------------------------------


class FindingFilter(django_filters.FilterSet):
    station = django_filters.NumberFilter(field_name="station_id")
    state = django_filters.ChoiceFilter(choices=FindingState.choices)

    class Meta:
        model = Finding
        fields = ["station", "state"]


class FindingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    pagination_class = CountlessPagination
    queryset = Finding.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"

    def get_queryset(self):
        from django.db.models import Count

        return (Finding.objects.filter(station__in=stations_visible_to(self.request.user))
                .select_related("found_by").annotate(evidence_count=Count("evidence"))
                .order_by("station_id", "sequence"))

    def _fresh(self, finding) -> dict:
        return FindingSerializer(self.get_queryset().get(pk=finding.pk)).data

    @extend_schema(request=FindingCreateSerializer, responses={201: FindingSerializer, 400: ErrorSerializer},
                   description="新建问题底稿（草稿）。驻点须处于“驻点中”或“形成报告”；编号自动生成。")
    def create(self, request, *args, **kwargs):
        serializer = FindingCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        station: Station = station_for_user(request.user, data.pop("station").pk, "work")
        try:
            finding = finding_create(actor=request.user, station=station, **data)
        except DjangoValidationError as error:
            return refused(error)
        return Response(self._fresh(finding), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: FindingSerializer, 400: ErrorSerializer},
                   description="组长确认问题底稿（草稿→已确认）。")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        finding = finding_for_user(request.user, pk, "lead")
        try:
            finding = finding_confirm(actor=request.user, finding=finding)
        except DjangoValidationError as error:
            return refused(error)
        return Response(self._fresh(finding))

    @extend_schema(request=WithdrawSerializer, responses={200: FindingSerializer, 400: ErrorSerializer},
                   description="撤回问题底稿，须填写理由。")
    @action(detail=True, methods=["post"], serializer_class=WithdrawSerializer)
    def withdraw(self, request, pk=None):
        finding = finding_for_user(request.user, pk, "work")
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            finding = finding_withdraw(actor=request.user, finding=finding, reason=serializer.validated_data["reason"])
        except DjangoValidationError as error:
            return refused(error)
        return Response(self._fresh(finding))

    @extend_schema(methods=["GET"], request=None, responses={200: EvidenceSerializer(many=True)},
                   description="底稿的证据材料。")
    @extend_schema(methods=["POST"], request={"multipart/form-data": EvidenceUploadSerializer},
                   responses={201: EvidenceSerializer, 400: ErrorSerializer},
                   description="上传一个证据文件（multipart）。按内容识别类型、限制大小、检查文件名；被拒绝的文件不保存。")
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser],
            serializer_class=EvidenceUploadSerializer)
    def evidence(self, request, pk=None):
        if request.method == "GET":
            finding = finding_for_user(request.user, pk)
            return Response(EvidenceSerializer(finding.evidence.all(), many=True).data)
        finding = finding_for_user(request.user, pk, "work")
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            evidence = finding_evidence_add(actor=request.user, finding=finding,
                                            upload=serializer.validated_data["file"],
                                            description=serializer.validated_data["description"])
        except DjangoValidationError as error:
            return refused(error)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceViewSet(viewsets.GenericViewSet):
    serializer_class = EvidenceSerializer
    queryset = Evidence.objects.none()
    lookup_value_converter = "int"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   description="下载证据文件（附件形式，经权限检查）。")
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return evidence_response(evidence_for_user(request.user, pk))


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("findings", FindingViewSet, basename="api-finding")
router.register("evidence", EvidenceViewSet, basename="api-evidence")

urlpatterns = [*router.urls]
