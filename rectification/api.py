"""REST API of rectification: hand-off letters, rectification items with their moves and their record (events).
Mounted under /api/ by supervision/api.py (which wraps it with login_not_required, so the API answers 401/403
itself).

As in rounds/api.py and findings/api.py: lists come from rectification.selectors, every object (in retrieve and in
every action) goes through rectification.access (anything the user may not see, or may not act on, is a 404), every
write calls the same service as the pages (rectification/services), a refusal is a 400 whose "detail" lists the
service's own messages. The item list and the letter list page without COUNT(*) (findings.api.CountlessPagination)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from findings.api import CountlessPagination, ErrorSerializer
from findings.views.findings import evidence_response
from rounds.api import refused

from .access import item_for_user, letter_for_user, rectification_evidence_for_user
from .models import (
    HandoffLetter,
    ItemEvent,
    ItemState,
    LetterState,
    RectificationEvidence,
    RectificationItem,
)
from .selectors import items_visible_to, letters_visible_to
from .services.items import (
    item_plan_save,
    item_progress_report,
    item_reopen,
    item_return,
    item_submit,
    item_verify,
)
from .services.letters import letter_issue

# --- output -----------------------------------------------------------------------------------------------------


class LetterSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)

    class Meta:
        model = HandoffLetter
        fields = ["id", "station", "organ", "recipient", "recipient_name", "title", "addressee", "basis", "reply_due",
                  "contact_name", "contact_phone", "state", "state_display", "number", "issued_at", "pdf_sha256",
                  "created_at", "updated_at"]


class ItemSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    letter_number = serializers.CharField(source="letter.number", read_only=True)
    station = serializers.IntegerField(source="letter.station_id", read_only=True)
    recipient = serializers.IntegerField(source="letter.recipient_id", read_only=True)
    recipient_name = serializers.CharField(source="letter.recipient.name", read_only=True)

    class Meta:
        model = RectificationItem
        fields = ["id", "letter", "letter_number", "station", "recipient", "recipient_name", "finding", "sequence",
                  "problem", "requirement", "responsible", "deadline", "target", "measures", "responsible_leader",
                  "responsible_department", "state", "state_display", "closed_at", "updated_at"]


class ItemEvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = RectificationEvidence
        fields = ["id", "original_name", "content_type", "size", "sha256", "uploaded_at", "download"]

    def get_download(self, evidence) -> str:
        return f"/api/item-evidence/{evidence.pk}/download/"


class ItemEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    evidence = ItemEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ItemEvent
        fields = ["id", "item", "kind", "kind_display", "text", "actor_name", "created_at", "evidence"]


# --- input ------------------------------------------------------------------------------------------------------


class PlanSerializer(serializers.Serializer):
    target = serializers.CharField(allow_blank=True, help_text="整改目标")
    measures = serializers.CharField(allow_blank=True, help_text="整改措施")
    responsible_leader = serializers.CharField(allow_blank=True, help_text="责任领导")
    responsible_department = serializers.CharField(allow_blank=True, help_text="责任部门")


class ProgressSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="整改进展")
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  help_text="佐证材料（multipart，可多个）")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, help_text="退回意见")


class ReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="回头看发现的情况")


# --- filters ----------------------------------------------------------------------------------------------------
# Plain ids, as everywhere in the API: an id the user may not see filters to an empty list.


class LetterFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=LetterState.choices)
    station = django_filters.NumberFilter(field_name="station_id")
    batch = django_filters.NumberFilter(field_name="station__round__batch_id")
    unit = django_filters.NumberFilter(field_name="recipient_id")
    issued_after = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__gte")
    issued_before = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__lte")

    class Meta:
        model = HandoffLetter
        fields = ["state", "station", "batch", "unit", "issued_after", "issued_before"]


class ItemFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ItemState.choices)
    letter = django_filters.NumberFilter(field_name="letter_id")
    station = django_filters.NumberFilter(field_name="letter__station_id")
    batch = django_filters.NumberFilter(field_name="letter__station__round__batch_id")
    unit = django_filters.NumberFilter(field_name="letter__recipient_id")
    deadline_after = django_filters.DateFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte")

    class Meta:
        model = RectificationItem
        fields = ["state", "letter", "station", "batch", "unit", "deadline_after", "deadline_before"]


# --- views ------------------------------------------------------------------------------------------------------


class LetterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LetterSerializer
    filterset_class = LetterFilter
    pagination_class = CountlessPagination
    queryset = HandoffLetter.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"

    def get_queryset(self):
        return letters_visible_to(self.request.user).select_related("recipient").order_by("-created_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        return Response(LetterSerializer(letter_for_user(request.user, kwargs["pk"])).data)

    @extend_schema(request=None, responses={200: LetterSerializer, 400: ErrorSerializer},
                   description="签发交办函：编发文号、生成交办函并为每个问题建立整改事项。")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        letter = letter_for_user(request.user, pk, "issue")
        try:
            letter = letter_issue(actor=request.user, letter=letter)
        except DjangoValidationError as error:
            return refused(error)
        return Response(LetterSerializer(letter_for_user(request.user, letter.pk)).data)


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    pagination_class = CountlessPagination
    queryset = RectificationItem.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        # deadline, letter, sequence: the order of the index item_deadline_order_idx.
        return (items_visible_to(self.request.user).select_related("letter__recipient")
                .order_by("deadline", "letter_id", "sequence"))

    def retrieve(self, request, *args, **kwargs):
        return Response(ItemSerializer(item_for_user(request.user, kwargs["pk"])).data)

    def _move(self, request, pk, access: str, service, serializer_class=None, **fixed):
        item = item_for_user(request.user, pk, access)
        values = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            values = serializer.validated_data
        try:
            service(actor=request.user, item=item, **values, **fixed)
        except DjangoValidationError as error:
            return refused(error)
        return Response(ItemSerializer(item_for_user(request.user, item.pk)).data)

    @extend_schema(request=PlanSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="整改单位联络员填写或修改整改方案（首次填写即开始整改）。")
    @action(detail=True, methods=["post"], serializer_class=PlanSerializer)
    def plan(self, request, pk=None):
        return self._move(request, pk, "work", item_plan_save, PlanSerializer)

    @extend_schema(request={"multipart/form-data": ProgressSerializer, "application/json": ProgressSerializer},
                   responses={201: ItemEventSerializer, 400: ErrorSerializer},
                   description="报告整改进展：文字说明、佐证材料或两者；任何文件不合规则整次不保存。")
    @action(detail=True, methods=["post"], serializer_class=ProgressSerializer,
            parser_classes=[MultiPartParser, FormParser, JSONParser])
    def progress(self, request, pk=None):
        item = item_for_user(request.user, pk, "work")
        serializer = ProgressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            event = item_progress_report(actor=request.user, item=item, **serializer.validated_data)
        except DjangoValidationError as error:
            return refused(error)
        event = ItemEvent.objects.prefetch_related("evidence").get(pk=event.pk)
        return Response(ItemEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="提交核验：须已有整改方案和整改进展。")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(request, pk, "work", item_submit)

    @extend_schema(request=ReturnSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="退回整改单位，须填写退回意见。")
    @action(detail=True, methods=["post"], url_path="return", url_name="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        return self._move(request, pk, "verify", item_return, ReturnSerializer)

    @extend_schema(request=CommentSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="核验销号。")
    @action(detail=True, methods=["post"], serializer_class=CommentSerializer)
    def verify(self, request, pk=None):
        return self._move(request, pk, "verify", item_verify, CommentSerializer)

    @extend_schema(request=ReopenSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="回头看：已销号的事项重新打开，须填写原因。")
    @action(detail=True, methods=["post"], serializer_class=ReopenSerializer)
    def reopen(self, request, pk=None):
        return self._move(request, pk, "reopen", item_reopen, ReopenSerializer)

    @extend_schema(request=None, responses={200: ItemEventSerializer(many=True)},
                   description="整改事项的全部记录（方案、进展、提交、退回、销号、回头看），含佐证材料。")
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        item = item_for_user(request.user, pk)
        events = item.events.prefetch_related("evidence").order_by("created_at", "id")
        return Response(ItemEventSerializer(events, many=True).data)


class ItemEvidenceViewSet(viewsets.GenericViewSet):
    serializer_class = ItemEvidenceSerializer
    queryset = RectificationEvidence.objects.none()
    lookup_value_converter = "int"

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   description="下载整改佐证材料（附件形式，经权限检查）。")
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return evidence_response(rectification_evidence_for_user(request.user, pk))


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("letters", LetterViewSet, basename="api-letter")
router.register("items", ItemViewSet, basename="api-item")
router.register("item-evidence", ItemEvidenceViewSet, basename="api-item-evidence")

urlpatterns = [*router.urls]
