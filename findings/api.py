"""REST API of a station's work: the checklist library and each station's checks, field records (走访记录), problem
sheets (问题底稿) with their evidence, and the station report with its two-level approval. (Checks and field records
are rounds models; they are served here with the rest of the week's work, whose evidence files are findings'.) Its
urlpatterns are mounted under /api/ by supervision/api.py (which wraps them with login_not_required, so the API
answers 401/403 itself).

As in rounds/api.py (whose plumbing this module uses): reads are scoped to the stations the user may see, every
object goes through the same access helper as the pages (anything not visible, or not to be acted on, is a 404),
every write calls the same service as the pages and a refusal is a 400 whose "detail" lists the service's own
messages."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from rounds.access import station_for_user
from rounds.api import (
    MAX_ID,
    AccessRetrieveMixin,
    CountlessPagination,
    ErrorSerializer,
    IdFilter,
    PersonNameSerializer,
    Refused,
    VisibleStationField,
    documented,
    service_refusals,
    validated,
)
from rounds.models import (
    ChecklistItem,
    ChecklistVersion,
    CheckResult,
    FieldMethod,
    FieldRecord,
    Station,
    StationCheck,
    Theme,
)
from rounds.selectors import stations_visible_to, user_has_stations
from rounds.services.fieldwork import (
    check_evidence_add,
    check_record,
    field_record_attach,
    field_record_create,
)
from supervision.models import Person
from supervision.roles import Role, user_roles

from .access import evidence_for_user, finding_for_user
from .forms import responsible_units
from .models import ApprovalAction, ApprovalEvent, Evidence, Finding, FindingState, ReportState, StationReport
from .services.findings import (
    finding_confirm,
    finding_correct,
    finding_create,
    finding_evidence_add,
    finding_locked,
    finding_update,
    finding_withdraw,
)
from .services.report import report_act, report_get_or_create, report_save
from .views.findings import evidence_response

__all__ = ["CountlessPagination", "ErrorSerializer"]  # the results and rectification APIs import them from here

DOES_NOT_EXIST = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]


def unknown_id(field: str, pk) -> serializers.ValidationError:
    """The answer for an id outside the choices the page offers: the same as for an id that does not exist."""
    return serializers.ValidationError({field: [str(DOES_NOT_EXIST).format(pk_value=pk)]})


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


class ChecklistVersionSerializer(serializers.ModelSerializer):
    item_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChecklistVersion
        fields = ["id", "number", "note", "published_at", "item_count"]


class ChecklistItemSerializer(serializers.ModelSerializer):
    theme_display = serializers.CharField(source="get_theme_display", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "version", "theme", "theme_display", "code", "order", "text", "guidance", "basis"]


class CheckSerializer(serializers.ModelSerializer):
    item = ChecklistItemSerializer(read_only=True)
    result_display = serializers.CharField(source="get_result_display", read_only=True)
    checked_by_name = serializers.CharField(source="checked_by.name", read_only=True, default="")
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = StationCheck
        fields = ["id", "station", "item", "result", "result_display", "note", "checked_by", "checked_by_name",
                  "checked_at", "evidence"]


class FieldRecordSerializer(serializers.ModelSerializer):
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    interviewers = PersonNameSerializer(many=True, read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.name", read_only=True, default="")
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = FieldRecord
        fields = ["id", "station", "method", "method_display", "date", "place", "subject", "interviewee",
                  "interviewers", "content", "recorded_by", "recorded_by_name", "created_at", "evidence"]


class ApprovalEventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)

    class Meta:
        model = ApprovalEvent
        fields = ["id", "action", "action_display", "comment", "actor_name", "created_at"]


class ReportSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    events = ApprovalEventSerializer(many=True, read_only=True, help_text="审核记录（时间顺序）")

    class Meta:
        model = StationReport
        fields = ["id", "station", "state", "state_display", "overall", "main_problems", "suggestions", "updated_at",
                  "approved_at", "events"]
        extra_kwargs = {"main_problems": {"help_text": "由已确认的问题底稿生成：起草中每次保存或提交时刷新"}}


# --- input ------------------------------------------------------------------------------------------------------


AMOUNT_ERRORS = {
    "invalid": gettext_lazy("涉及金额须为数字（单位：元）"),
    "min_value": gettext_lazy("涉及金额不能为负数"),
    "max_decimal_places": gettext_lazy("涉及金额最多保留两位小数（精确到分）"),
    "max_digits": gettext_lazy("涉及金额过大，请核对（单位：元）"),
    "max_whole_digits": gettext_lazy("涉及金额过大，请核对（单位：元）"),
}


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file part of a multipart request (documented as binary, not as the URI a stored file reads as)."""


class FindingFieldsSerializer(serializers.Serializer):
    """The sheet's fields as the page's form has them; a field left out keeps its value (or the service's default
    on creation). The responsible unit is one the page offers: the target, the unit above it or one under it."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    observed = serializers.CharField(required=False, allow_blank=True)
    basis = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Theme.choices, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True,
                                      help_text="涉及金额，单位元，精确到分", error_messages=AMOUNT_ERRORS)
    responsible_unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True,
                                                help_text="责任单位：驻点单位、其上级单位或其下属单位")
    responsible_person = serializers.CharField(max_length=100, required=False, allow_blank=True)
    found_on = serializers.DateField(required=False)
    team_opinion = serializers.CharField(required=False, allow_blank=True)

    def resolve(self, attrs: dict, station: Station) -> dict:
        unit_id = attrs.get("responsible_unit")
        if unit_id is not None:
            attrs["responsible_unit"] = responsible_units(station).filter(pk=unit_id).first()
            if attrs["responsible_unit"] is None:
                raise unknown_id("responsible_unit", unit_id)
        return attrs

    def validate(self, attrs):
        return self.resolve(attrs, self.context["station"])


class FindingCreateSerializer(FindingFieldsSerializer):
    station = VisibleStationField()
    observed = serializers.CharField()
    station_check = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True,
                                             help_text="从本驻点的清单事项打开：标题、类别、依据按事项预填")

    def validate(self, attrs):
        station = attrs["station"]
        check_id = attrs.get("station_check")
        if check_id is not None:
            attrs["station_check"] = station.checks.filter(pk=check_id).first()
            if attrs["station_check"] is None:
                raise unknown_id("station_check", check_id)
        return self.resolve(attrs, station)


class FindingUpdateSerializer(FindingFieldsSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   help_text="更正理由：报告审定后修改底稿时必填")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class EvidenceUploadSerializer(serializers.Serializer):
    file = UploadField(help_text="PDF、图片或 Office 文档；按内容识别类型")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CheckRecordSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=CheckResult.choices)
    note = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")


class FieldRecordCreateSerializer(serializers.Serializer):
    station = VisibleStationField()
    method = serializers.ChoiceField(choices=FieldMethod.choices)
    date = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    interviewee = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    interviewers = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                         required=False, default=list, help_text="谈话人：本驻点组成员的人员编号（个别谈话至少两名）")
    content = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    signed_record = UploadField(required=False, allow_null=True, default=None,
                                          help_text="个别谈话：经谈话对象签字的笔录")
    attachments = serializers.ListField(child=UploadField(), required=False, default=list)

    def validate(self, attrs):
        # The station's team, as the page offers it; anyone else is an unknown id.
        ids = attrs["interviewers"]
        team = {p.pk: p for p in Person.objects.filter(stations__station=attrs["station"], pk__in=ids)}
        missing = [pk for pk in ids if pk not in team]
        if missing:
            raise unknown_id("interviewers", missing[0])
        attrs["interviewers"] = [team[pk] for pk in dict.fromkeys(ids)]
        return attrs


class ReportDraftSerializer(serializers.Serializer):
    overall = serializers.CharField(max_length=20000, required=False, allow_blank=True, help_text="总体评价")
    suggestions = serializers.CharField(max_length=20000, required=False, allow_blank=True, help_text="意见建议")


class ReportCreateSerializer(ReportDraftSerializer):
    station = VisibleStationField()


class ReportCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                    help_text="审核意见；退回修改时必填")


# --- objects without a helper of their own: through their station's -----------------------------------------------


def check_for_user(user, pk, action: str = "view") -> StationCheck:
    check = get_object_or_404(StationCheck.objects.select_related("item"), pk=pk)
    check.station = station_for_user(user, check.station_id, action)
    return check


def record_for_user(user, pk, action: str = "view") -> FieldRecord:
    record = get_object_or_404(FieldRecord, pk=pk)
    record.station = station_for_user(user, record.station_id, action)
    return record


def report_by_id_for_user(user, pk, action: str = "view") -> StationReport:
    report = get_object_or_404(StationReport, pk=pk)
    report.station = station_for_user(user, report.station_id, action)
    return report


def checklist_versions_visible_to(user):
    """The library's published versions are read by whoever works on rounds (planners, viewers of batches or
    stations, team members); drafts by the administrators, who edit them in the admin."""
    if not user.is_authenticated:
        return ChecklistVersion.objects.none()
    roles = user_roles(user)
    if user.is_superuser or Role.ADMIN in roles:
        return ChecklistVersion.objects.all()
    if not (user.has_perm("rounds.view_batch") or user.has_perm("rounds.view_station")
            or roles & {Role.TEAM_LEADER, Role.TEAM_MEMBER} or user_has_stations(user)):
        return ChecklistVersion.objects.none()
    return ChecklistVersion.objects.filter(published_at__isnull=False)


# --- filters (plain ids, as in supervision/api.py: a hidden parent filters to an empty list) ----------------------


class FindingFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    state = django_filters.ChoiceFilter(choices=FindingState.choices)

    class Meta:
        model = Finding
        fields = ["station", "state"]


class ChecklistItemFilter(django_filters.FilterSet):
    version = IdFilter(field_name="version_id")

    class Meta:
        model = ChecklistItem
        fields = ["version", "theme"]


class CheckFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    theme = django_filters.ChoiceFilter(field_name="item__theme", choices=Theme.choices)

    class Meta:
        model = StationCheck
        fields = ["station", "result", "theme"]


class FieldRecordFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")

    class Meta:
        model = FieldRecord
        fields = ["station", "method"]


class ReportFilter(django_filters.FilterSet):
    station = IdFilter(field_name="station_id")
    state = django_filters.ChoiceFilter(choices=ReportState.choices)

    class Meta:
        model = StationReport
        fields = ["station", "state"]


# --- the checklist library, each station's checks and field records -----------------------------------------------


class ChecklistVersionViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Versions of the checklist library (监督清单); their items are at /api/checklist-items/?version=."""

    serializer_class = ChecklistVersionSerializer
    queryset = ChecklistVersion.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"

    def get_queryset(self):
        return (checklist_versions_visible_to(self.request.user).annotate(item_count=Count("items"))
                .order_by("-number"))

    def access(self, request, pk):
        return get_object_or_404(checklist_versions_visible_to(request.user), pk=pk)


class ChecklistItemViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ChecklistItemSerializer
    filterset_class = ChecklistItemFilter
    pagination_class = CountlessPagination
    queryset = ChecklistItem.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return (ChecklistItem.objects.filter(version__in=checklist_versions_visible_to(self.request.user))
                .order_by("-version__number", "order", "code", "id"))

    def access(self, request, pk):
        return get_object_or_404(self.get_queryset(), pk=pk)


class CheckViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """The checks of the stations the user may see: one per item of the station's checklist."""

    serializer_class = CheckSerializer
    filterset_class = CheckFilter
    pagination_class = CountlessPagination
    queryset = StationCheck.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return (StationCheck.objects.filter(station__in=stations_visible_to(self.request.user))
                .select_related("item", "checked_by").prefetch_related("evidence")
                .order_by("station_id", "item__order", "item__code", "id"))

    def access(self, request, pk):
        return check_for_user(request.user, pk)

    @documented("记录一项检查结果和情况说明（本驻点组成员，驻点中或形成报告时）；“存在问题”须写明情况。",
                request=CheckRecordSerializer, response=CheckSerializer)
    @action(detail=True, methods=["post"], serializer_class=CheckRecordSerializer)
    def record(self, request, pk=None):
        check = check_for_user(request.user, pk, "work")
        data = validated(CheckRecordSerializer, request)
        with service_refusals():
            check_record(actor=request.user, check=check, **data)
        return Response(self.fresh(check))

    @documented("上传一个佐证材料（multipart）。按内容识别类型、限制大小、检查文件名；被拒绝的文件不保存。",
                request={"multipart/form-data": EvidenceUploadSerializer}, response=EvidenceSerializer, code=201)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser],
            serializer_class=EvidenceUploadSerializer)
    def evidence(self, request, pk=None):
        check = check_for_user(request.user, pk, "work")
        data = validated(EvidenceUploadSerializer, request)
        with service_refusals():
            evidence = check_evidence_add(actor=request.user, check=check, upload=data["file"],
                                          description=data["description"])
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class FieldRecordViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Field records (走访记录) of the stations the user may see."""

    serializer_class = FieldRecordSerializer
    filterset_class = FieldRecordFilter
    pagination_class = CountlessPagination
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    queryset = FieldRecord.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        interviewers = Prefetch("interviewers", queryset=Person.objects.order_by("name", "id"))
        return (FieldRecord.objects.filter(station__in=stations_visible_to(self.request.user))
                .select_related("recorded_by").prefetch_related(interviewers, "evidence")
                .order_by("-date", "-created_at", "-id"))

    def access(self, request, pk):
        return record_for_user(request.user, pk)

    @documented("新增走访记录（multipart，本驻点组成员）。个别谈话须有谈话对象、至少两名本组谈话人和签字笔录；"
                "其他方式须有地点和对象。文件全部检查通过才保存。",
                request={"multipart/form-data": FieldRecordCreateSerializer}, response=FieldRecordSerializer,
                code=201)
    def create(self, request):
        data = validated(FieldRecordCreateSerializer, request)
        station = station_for_user(request.user, data.pop("station").pk, "work")
        with service_refusals():
            record = field_record_create(actor=request.user, station=station, **data)
        return Response(self.fresh(record), status=status.HTTP_201_CREATED)

    @documented("给走访记录补充一个照片或材料（multipart）。", request={"multipart/form-data": EvidenceUploadSerializer},
                response=EvidenceSerializer, code=201)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser],
            serializer_class=EvidenceUploadSerializer)
    def evidence(self, request, pk=None):
        record = record_for_user(request.user, pk, "work")
        data = validated(EvidenceUploadSerializer, request)
        with service_refusals():
            evidence = field_record_attach(actor=request.user, record=record, upload=data["file"],
                                           description=data["description"])
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


# --- problem sheets and their evidence ----------------------------------------------------------------------------


class FindingViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    pagination_class = CountlessPagination
    queryset = Finding.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return (Finding.objects.filter(station__in=stations_visible_to(self.request.user))
                .select_related("found_by").annotate(evidence_count=Count("evidence"))
                .order_by("station_id", "sequence"))

    def access(self, request, pk):
        return finding_for_user(request.user, pk)

    @documented("新建问题底稿（草稿）。驻点须处于“驻点中”或“形成报告”；编号自动生成。",
                request=FindingCreateSerializer, response=FindingSerializer, code=201)
    def create(self, request):
        data = validated(FindingCreateSerializer, request)
        station = station_for_user(request.user, data.pop("station").pk, "work")
        with service_refusals():
            finding = finding_create(actor=request.user, station=station, **data)
        return Response(self.fresh(finding), status=status.HTTP_201_CREATED)

    @documented("修改问题底稿（本驻点组成员）；只改所给的字段。驻点报告审定后即为更正：须填写 reason，原内容保留在"
                "更正记录中。", request=FindingUpdateSerializer, response=FindingSerializer)
    def partial_update(self, request, pk=None):
        finding = finding_for_user(request.user, pk, "work")
        if finding.state == FindingState.WITHDRAWN:  # as the page: before anything else
            raise Refused(DjangoValidationError(_("已撤回的问题底稿不能修改")))
        data = validated(FindingUpdateSerializer, request, station=finding.station)
        reason = data.pop("reason", "")
        with service_refusals():
            if finding_locked(finding):
                finding_correct(actor=request.user, finding=finding, reason=reason, **data)
            else:
                finding_update(actor=request.user, finding=finding, **data)
        return Response(self.fresh(finding))

    @documented("组长确认问题底稿（草稿→已确认）。", response=FindingSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        finding = finding_for_user(request.user, pk, "lead")
        with service_refusals():
            finding_confirm(actor=request.user, finding=finding)
        return Response(self.fresh(finding))

    @documented("撤回问题底稿，须填写理由。", request=WithdrawSerializer, response=FindingSerializer)
    @action(detail=True, methods=["post"], serializer_class=WithdrawSerializer)
    def withdraw(self, request, pk=None):
        finding = finding_for_user(request.user, pk, "work")
        data = validated(WithdrawSerializer, request)
        with service_refusals():
            finding_withdraw(actor=request.user, finding=finding, reason=data["reason"])
        return Response(self.fresh(finding))

    @extend_schema(methods=["GET"], request=None, responses={200: EvidenceSerializer(many=True)},
                   description="底稿的证据材料。")
    @documented("上传一个证据文件（multipart）。按内容识别类型、限制大小、检查文件名；被拒绝的文件不保存。",
                methods=["POST"], request={"multipart/form-data": EvidenceUploadSerializer},
                response=EvidenceSerializer, code=201)
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser], pagination_class=None,
            filter_backends=[],
            serializer_class=EvidenceUploadSerializer)
    def evidence(self, request, pk=None):
        if request.method == "GET":
            finding = finding_for_user(request.user, pk)
            return Response(EvidenceSerializer(finding.evidence.all(), many=True).data)
        finding = finding_for_user(request.user, pk, "work")
        data = validated(EvidenceUploadSerializer, request)
        with service_refusals():
            evidence = finding_evidence_add(actor=request.user, finding=finding, upload=data["file"],
                                            description=data["description"])
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


# --- the station report -------------------------------------------------------------------------------------------


class ReportViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Station reports (驻点报告): the team drafts and submits, the station's leader approves or returns, then the
    commission approves or returns (findings.services.report, one transition table). Acting needs a place in the
    station's work (its team, or a planner); anyone else who sees the station reads."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    pagination_class = CountlessPagination
    queryset = StationReport.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        events = Prefetch("events", queryset=ApprovalEvent.objects.order_by("created_at", "id"))
        return (StationReport.objects.filter(station__in=stations_visible_to(self.request.user))
                .prefetch_related(events).order_by("-id"))

    def access(self, request, pk):
        return report_by_id_for_user(request.user, pk)

    @documented("起草驻点报告：驻点尚无报告时新建（201），已有时保存到其草稿（200）。主要问题由已确认的底稿生成。",
                request=ReportCreateSerializer, response=ReportSerializer, code=201)
    def create(self, request):
        data = validated(ReportCreateSerializer, request)
        station = station_for_user(request.user, data.pop("station").pk, "work")
        created = not StationReport.objects.filter(station=station).exists()
        with service_refusals(), transaction.atomic():  # a refused first draft leaves no empty report behind
            report = report_get_or_create(station, actor=request.user)
            report = _save(request, report, data)
        return Response(self.fresh(report), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @documented("修改报告草稿（只改所给的字段）；已提交的报告退回后才能修改。", request=ReportDraftSerializer,
                response=ReportSerializer)
    def partial_update(self, request, pk=None):
        report = report_by_id_for_user(request.user, pk, "work")
        data = validated(ReportDraftSerializer, request)
        with service_refusals():
            _save(request, report, data)
        return Response(self.fresh(report))

    def _act(self, request, pk, action) -> Response:
        """`action`: the approval action, or a function of the report's state giving it (the level of an approval
        follows the state; the service checks both again under a row lock)."""
        report = report_by_id_for_user(request.user, pk, "work")
        comment = validated(ReportCommentSerializer, request)["comment"] if callable(action) else ""
        action = action(report.state) if callable(action) else action
        with service_refusals():
            report = report_act(actor=request.user, report=report, action=action, comment=comment)
        return Response(self.fresh(report))

    @documented("提交组长审核（本驻点组成员）；总体评价和意见建议须已填写。", response=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(request, pk, ApprovalAction.SUBMIT)

    @documented("审核通过：待组长审核的由本驻点组长通过，待委机关审核的由委机关审定。", request=ReportCommentSerializer,
                response=ReportSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReportCommentSerializer)
    def approve(self, request, pk=None):
        return self._act(request, pk, lambda state: ApprovalAction.COMMISSION_APPROVE
                         if state == ReportState.LEADER_APPROVED else ApprovalAction.LEADER_APPROVE)

    @documented("退回修改（须填写意见）：待组长审核的由本驻点组长退回，待委机关审核的由委机关退回。",
                request=ReportCommentSerializer, response=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return",
            serializer_class=ReportCommentSerializer)
    def return_(self, request, pk=None):
        return self._act(request, pk, lambda state: ApprovalAction.COMMISSION_RETURN
                         if state == ReportState.LEADER_APPROVED else ApprovalAction.LEADER_RETURN)


def _save(request, report: StationReport, data: dict) -> StationReport:
    return report_save(actor=request.user, report=report, overall=data.get("overall", report.overall),
                       suggestions=data.get("suggestions", report.suggestions))


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("checklists", ChecklistVersionViewSet, basename="api-checklist")
router.register("checklist-items", ChecklistItemViewSet, basename="api-checklist-item")
router.register("checks", CheckViewSet, basename="api-check")
router.register("field-records", FieldRecordViewSet, basename="api-field-record")
router.register("findings", FindingViewSet, basename="api-finding")
router.register("evidence", EvidenceViewSet, basename="api-evidence")
router.register("reports", ReportViewSet, basename="api-report")

urlpatterns = [*router.urls]
