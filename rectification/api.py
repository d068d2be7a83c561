"""REST API of rectification: hand-off letters, rectification items with their moves and their record (events).
Mounted under /api/ by supervision/api.py (which wraps it with login_not_required, so the API answers 401/403
itself).

As in rounds/api.py and findings/api.py: lists come from rectification.selectors, every object (in retrieve and in
every action) goes through rectification.access (anything the user may not see, or may not act on, is a 404), every
write calls the same service as the pages (rectification/services), a refusal is a 400 whose "detail" lists the
service's own messages, through the one shape of a write (findings.api_shared.serve). The item list and the letter
list page without COUNT(*) (findings.api.CountlessPagination).

The letters of a whole round are drafted and issued by a background run (LetterRun, the Celery task
rectification.letters_run, started by the service letters_generate as on the page): POST /api/letter-runs/ starts it
(202) and GET /api/letter-runs/<id>/ is its progress, to poll until "finished"."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from findings.api_shared import given_id, serve
from findings.views.findings import evidence_response
from rounds.access import station_for_user
from rounds.api import CountlessPagination, ErrorSerializer, IdFilter, round_for_user
from rounds.models import Round
from supervision.views.common import require_perm

from .access import item_for_user, letter_for_user, rectification_evidence_for_user, run_for_user
from .models import (
    HandoffLetter,
    ItemEvent,
    ItemState,
    LetterRun,
    LetterRunState,
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
from .services.letters import letter_draft, letter_issue, letter_update, letters_generate

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


class RunErrorSerializer(serializers.Serializer):
    station_id = serializers.IntegerField()
    station = serializers.CharField()
    reason = serializers.CharField()


class LetterRunSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    errors = RunErrorSerializer(many=True, read_only=True, help_text="未能交办的驻点及原因")
    finished = serializers.SerializerMethodField(help_text="已结束（已完成或部分失败）：不必再查询进度")
    progress = serializers.SerializerMethodField()

    class Meta:
        model = LetterRun
        fields = ["id", "round", "state", "state_display", "total", "done", "errors", "finished", "reply_days",
                  "contact_name", "contact_phone", "created_at", "finished_at", "progress"]

    def get_finished(self, run) -> bool:
        return run.state in (LetterRunState.DONE, LetterRunState.FAILED)

    def get_progress(self, run) -> str:
        return f"/api/letter-runs/{run.pk}/"


# --- input ------------------------------------------------------------------------------------------------------


# What a letter (or a round's run) needs beyond the approved report; the contact is the user unless given.
class LetterStartSerializer(serializers.Serializer):
    reply_days = serializers.IntegerField(required=False, default=30,
                                          help_text="书面回复期限（天，1—365），自今天起算；各问题的时限默认同此日期")
    contact_name = serializers.CharField(required=False, allow_blank=True, help_text="联系人（不填为本人）")
    contact_phone = serializers.CharField(required=False, allow_blank=True, help_text="联系电话（不填为本人电话）")

    def validate(self, attrs):
        person = getattr(self.context["request"].user, "person", None)
        attrs.setdefault("contact_name", person.name if person else "")
        attrs.setdefault("contact_phone", person.phone if person else "")
        return attrs


class LetterDraftSerializer(LetterStartSerializer):
    station = serializers.IntegerField(help_text="驻点（报告已审定）")


class LetterRunStartSerializer(LetterStartSerializer):
    round = serializers.IntegerField(help_text="轮次：为其报告已审定、尚未签发交办函的驻点批量生成并签发交办函")


class RowInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="本交办函的问题（整改事项）")
    requirement = serializers.CharField(required=False, allow_blank=True, help_text="整改要求")
    responsible = serializers.CharField(required=False, allow_blank=True, help_text="责任人")
    deadline = serializers.DateField(required=False, allow_null=True, help_text="完成时限")


# A draft's fields and rows; only what is given changes.
class LetterEditSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    addressee = serializers.CharField(required=False, allow_blank=True, help_text="主送")
    basis = serializers.CharField(required=False, allow_blank=True, help_text="交办依据")
    reply_due = serializers.DateField(required=False, allow_null=True, help_text="书面回复期限")
    contact_name = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)
    rows = serializers.ListField(child=RowInputSerializer(), required=False,
                                 help_text="要修改的问题行：整改要求、责任人、完成时限")

    def validate_rows(self, rows) -> dict:
        return {row.pop("item"): row for row in rows}


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
    station = IdFilter(field_name="station_id")
    batch = IdFilter(field_name="station__round__batch_id")
    unit = IdFilter(field_name="recipient_id")
    issued_after = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__gte")
    issued_before = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__lte")

    class Meta:
        model = HandoffLetter
        fields = ["state", "station", "batch", "unit", "issued_after", "issued_before"]


class ItemFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ItemState.choices)
    letter = IdFilter(field_name="letter_id")
    station = IdFilter(field_name="letter__station_id")
    batch = IdFilter(field_name="letter__station__round__batch_id")
    unit = IdFilter(field_name="letter__recipient_id")
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

    def _answer(self, letter) -> dict:
        return LetterSerializer(letter_for_user(self.request.user, letter.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(LetterSerializer(letter_for_user(request.user, kwargs["pk"])).data)

    @extend_schema(request=LetterDraftSerializer, responses={201: LetterSerializer, 400: ErrorSerializer},
                   description="为报告已审定的驻点起草交办函：每个已确认的问题底稿生成一个问题（委机关工作人员）。")
    def create(self, request, *args, **kwargs):
        require_perm(request.user, "rectification.add_handoffletter")
        station = station_for_user(request.user, given_id(request, "station"))
        return serve(request, letter_draft, self._answer, data=LetterStartSerializer, code=status.HTTP_201_CREATED,
                     station=station)

    @extend_schema(request=LetterEditSerializer, responses={200: LetterSerializer, 400: ErrorSerializer},
                   description="修改交办函草稿及其问题行（整改要求、责任人、时限），只改所给内容；"
                               "问题行见 /api/items/?letter=<id>。")
    def partial_update(self, request, *args, **kwargs):
        letter = letter_for_user(request.user, kwargs["pk"], "edit")
        return serve(request, letter_update, self._answer, letter=letter,
                     data=LetterEditSerializer(data=request.data, partial=True))

    @extend_schema(request=None, responses={200: LetterSerializer, 400: ErrorSerializer},
                   description="签发交办函：编发文号、生成交办函并为每个问题建立整改事项。")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return serve(request, letter_issue, self._answer, letter=letter_for_user(request.user, pk, "issue"))


def round_for_letters(request) -> Round:
    """The round (named in the body) whose letters a run drafts and issues: who may draft and issue letters (as on
    the page). Anyone else gets the 404 before the body is read."""
    require_perm(request.user, "rectification.add_handoffletter")
    require_perm(request.user, "rectification.issue_handoffletter")
    return round_for_user(request.user, given_id(request, "round"))


class LetterRunViewSet(viewsets.GenericViewSet):
    serializer_class = LetterRunSerializer
    queryset = LetterRun.objects.none()
    lookup_value_converter = "int"

    def _answer(self, run) -> dict:
        return LetterRunSerializer(run_for_user(self.request.user, run.pk)).data

    @extend_schema(request=LetterRunStartSerializer, responses={202: LetterRunSerializer, 400: ErrorSerializer},
                   description="批量生成并签发一个轮次的交办函（后台任务）；按返回的 progress 查询进度。")
    def create(self, request, *args, **kwargs):
        round_ = round_for_letters(request)
        return serve(request, letters_generate, self._answer, data=LetterStartSerializer,
                     code=status.HTTP_202_ACCEPTED, round=round_)

    @extend_schema(responses={200: LetterRunSerializer}, description="批量生成交办函的进度（finished 为真时结束）。")
    def retrieve(self, request, *args, **kwargs):
        response = Response(self._answer(run_for_user(request.user, kwargs["pk"])))
        response["Cache-Control"] = "no-store"
        return response


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

    def _answer(self, item) -> dict:
        return ItemSerializer(item_for_user(self.request.user, item.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(ItemSerializer(item_for_user(request.user, kwargs["pk"])).data)

    @extend_schema(request=PlanSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="整改单位联络员填写或修改整改方案（首次填写即开始整改）。")
    @action(detail=True, methods=["post"], serializer_class=PlanSerializer)
    def plan(self, request, pk=None):
        return serve(request, item_plan_save, self._answer, data=PlanSerializer,
                     item=item_for_user(request.user, pk, "work"))

    @extend_schema(request={"multipart/form-data": ProgressSerializer, "application/json": ProgressSerializer},
                   responses={201: ItemEventSerializer, 400: ErrorSerializer},
                   description="报告整改进展：文字说明、佐证材料或两者；任何文件不合规则整次不保存。")
    @action(detail=True, methods=["post"], serializer_class=ProgressSerializer,
            parser_classes=[MultiPartParser, FormParser, JSONParser])
    def progress(self, request, pk=None):
        def answer(event) -> dict:
            return ItemEventSerializer(ItemEvent.objects.prefetch_related("evidence").get(pk=event.pk)).data

        return serve(request, item_progress_report, answer, data=ProgressSerializer, code=status.HTTP_201_CREATED,
                     item=item_for_user(request.user, pk, "work"))

    @extend_schema(request=None, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="提交核验：须已有整改方案和整改进展。")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return serve(request, item_submit, self._answer, item=item_for_user(request.user, pk, "work"))

    @extend_schema(request=ReturnSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="退回整改单位，须填写退回意见。")
    @action(detail=True, methods=["post"], url_path="return", url_name="return", serializer_class=ReturnSerializer)
    def return_(self, request, pk=None):
        return serve(request, item_return, self._answer, data=ReturnSerializer,
                     item=item_for_user(request.user, pk, "verify"))

    @extend_schema(request=CommentSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="核验销号。")
    @action(detail=True, methods=["post"], serializer_class=CommentSerializer)
    def verify(self, request, pk=None):
        return serve(request, item_verify, self._answer, data=CommentSerializer,
                     item=item_for_user(request.user, pk, "verify"))

    @extend_schema(request=ReopenSerializer, responses={200: ItemSerializer, 400: ErrorSerializer},
                   description="回头看：已销号的事项重新打开，须填写原因。")
    @action(detail=True, methods=["post"], serializer_class=ReopenSerializer)
    def reopen(self, request, pk=None):
        return serve(request, item_reopen, self._answer, data=ReopenSerializer,
                     item=item_for_user(request.user, pk, "reopen"))

    @extend_schema(request=None, responses={200: ItemEventSerializer(many=True)},
                   description="整改事项的全部记录（方案、进展、提交、退回、销号、回头看），含佐证材料。")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
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
router.register("letter-runs", LetterRunViewSet, basename="api-letter-run")

urlpatterns = [*router.urls]
