"""REST API of rounds: batches, rounds, stations and their members, training. (The checklist library, each station's
checks and field records are served by findings/api.py, with the rest of a station's work.) Its urlpatterns are mounted under /api/ by supervision/api.py (which wraps them with
login_not_required, so the API answers 401/403 itself).

Reads are scoped with the same selectors as the pages; every object (in retrieve and in every action) goes through
the same access helper (an object the user may not see, or may not act on, is a 404, as on the pages); every write
calls the same service as the pages, and a refusal is a 400 whose "detail" lists the service's own messages.

The plumbing every API module shares lives here too (findings, results and rectification import it): the count-free
pagination, the refusal answer (`refused`, `service_refusals`), input validation (`validated`) and the schema of a
write (`documented`)."""

from contextlib import contextmanager

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from supervision.models import Person, Unit
from supervision.selectors import people_visible_to, units_visible_to
from supervision.views.common import require_perm

from .access import batch_for_user, member_for_user, station_for_user, training_for_user
from .forms import LOCAL_KINDS, ORGANISER_KINDS, PARENT_KINDS, TARGET_KINDS
from .models import (
    Batch,
    BatchState,
    FormulaSlot,
    Round,
    Station,
    StationMember,
    StationState,
    TeamFormula,
    Theme,
    TrainingSession,
)
from .selectors import batches_visible_to, members_prefetch, stations_visible_to
from .services.facts import batch_pool
from .services.fieldwork import (
    WORK_STATES,
    station_checklist_open,
)
from .services.members import member_assign, member_declare, member_exempt_training, member_replace
from .services.planning import batch_confirm, batch_create, batch_plan
from .services.stations import notice_issue, station_transition, training_attendance_set, training_create

# --- plumbing shared by the API modules ---------------------------------------------------------------------------


class CountlessPagination(PageNumberPagination):
    """Page numbers without COUNT(*): the big lists (sheets, checks, leads, letters, items) may hold millions of rows,
    and counting every visible row on every page costs more than the page itself. One query of page_size + 1 rows
    says whether a next page exists. The answer has "next", "previous" and "results" (no "count"); "page_size" (at
    most 200) may be asked for."""

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
        # Beyond any table (and beyond what a database takes as an OFFSET): an empty page, not a database error.
        rows = list(queryset[start:start + size + 1]) if start < MAX_ID else []
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


MAX_ID = 2**63 - 1  # the largest id (and offset) a database column holds


class IdFilter(django_filters.NumberFilter):
    """A plain id filter: an integer (anything else is a 400); one no row can have filters to an empty list, like an
    id that does not exist or that the user may not see, never to a database error."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value is not None and not -MAX_ID <= value <= MAX_ID:
            return qs.none()
        return super().filter(qs, value)


ErrorSerializer = inline_serializer("Refusal", {
    "detail": serializers.ListField(child=serializers.CharField(), help_text="服务层给出的全部理由"),
})


def _messages(error: DjangoValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return list(error.messages)


def refused(error: DjangoValidationError, status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": _messages(error)}, status=status_code)


class Refused(exceptions.APIException):
    """A service's refusal as the answer: {"detail": [its messages]}, 400 unless said otherwise."""

    def __init__(self, error: DjangoValidationError, status_code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(detail={"detail": _messages(error)})
        self.status_code = status_code


@contextmanager
def service_refusals(status_code: int = status.HTTP_400_BAD_REQUEST):
    """Around a service call: its ValidationError becomes the API's refusal (see `refused`)."""
    try:
        yield
    except DjangoValidationError as error:
        raise Refused(error, status_code) from None


def validated(serializer_class, request, *, partial: bool = False, **context) -> dict:
    """The request's data checked by an input serializer (its errors are DRF's 400, by field); `partial`: only the
    fields given (a PATCH)."""
    serializer = serializer_class(data=request.data, partial=partial, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def documented(description: str, *, request=None, response=None, code: int = status.HTTP_200_OK, **kwargs):
    """The schema of a write: its input, its answer, and the 400 of a refusal."""
    return extend_schema(request=request, responses={code: response, 400: ErrorSerializer}, description=description,
                         **kwargs)


class AccessRetrieveMixin:
    """retrieve() through the access helper (`access`: a hidden object is a 404), then the row as the list shows it."""

    def access(self, request, pk):
        raise NotImplementedError

    def fresh(self, obj) -> dict:
        # The viewset's own serializer: an action's serializer_class (its input) is set on the instance.
        serializer_class = type(self).serializer_class
        return serializer_class(self.get_queryset().get(pk=obj.pk), context=self.get_serializer_context()).data

    def retrieve(self, request, pk=None):
        return Response(self.fresh(self.access(request, pk)))


# --- output -------------------------------------------------------------------------------------------------------


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Round
        fields = ["id", "number", "start_date", "end_date"]


class BatchSerializer(serializers.ModelSerializer):
    rounds = RoundSerializer(many=True, read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Batch
        fields = ["id", "year", "name", "organiser", "formula", "focus_themes", "targets", "state", "state_display",
                  "planned_at", "rounds"]


class StationBriefSerializer(serializers.ModelSerializer):
    target_name = serializers.CharField(source="target.name", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "target", "target_name", "state"]


class RoundDetailSerializer(RoundSerializer):
    batch_name = serializers.CharField(source="batch.name", read_only=True)
    stations = StationBriefSerializer(many=True, read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = ["id", "batch", "batch_name", "number", "start_date", "end_date", "stations"]


class SlotBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormulaSlot
        fields = ["id", "label", "is_leader"]


class PersonBriefSerializer(serializers.ModelSerializer):
    home_unit_name = serializers.CharField(source="home_unit.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "category", "home_unit", "home_unit_name"]


class PersonNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]


class MemberSerializer(serializers.ModelSerializer):
    slot = SlotBriefSerializer(read_only=True)
    person = PersonBriefSerializer(read_only=True)
    training_exempt = serializers.SerializerMethodField()

    class Meta:
        model = StationMember
        fields = ["id", "station", "slot", "person", "declared_at", "training_exempt"]

    def get_training_exempt(self, member) -> bool:
        return bool(member.training_exempt_reason)


class StationSerializer(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="round.batch_id", read_only=True)
    round_number = serializers.IntegerField(source="round.number", read_only=True)
    start_date = serializers.DateField(source="round.start_date", read_only=True)
    end_date = serializers.DateField(source="round.end_date", read_only=True)
    target_name = serializers.CharField(source="target.name", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    members = MemberSerializer(many=True, read_only=True)

    class Meta:
        model = Station
        fields = ["id", "batch", "round_number", "start_date", "end_date", "target", "target_name", "state",
                  "state_display", "notice_number", "opened_at", "members"]


class TrainingSerializer(serializers.ModelSerializer):
    attendees = PersonNameSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "batch", "topic", "date", "place", "attendees"]


PlanResultSerializer = inline_serializer("BatchPlanResult", {"stations": serializers.IntegerField()})
ChecklistOpenSerializer = inline_serializer("ChecklistOpenResult", {
    "created": serializers.IntegerField(help_text="本次生成的清单事项数"),
    "total": serializers.IntegerField(help_text="驻点清单事项总数"),
})

# --- input --------------------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person the user may see (someone they may not see does not exist, as everywhere else)."""

    def get_queryset(self):
        return people_visible_to(self.context["request"].user).select_related("home_unit")


@extend_schema_field(OpenApiTypes.INT)
class VisibleUnitField(serializers.PrimaryKeyRelatedField):
    """A unit the user may see, of the given kinds (and in use, with active=True), as the pages offer them."""

    def __init__(self, *, kinds=None, active=False, **kwargs):
        self.kinds, self.active = kinds, active
        super().__init__(**kwargs)

    def get_queryset(self):
        units = units_visible_to(self.context["request"].user)
        if self.kinds:
            units = units.filter(kind__in=self.kinds)
        return units.filter(is_active=True) if self.active else units


@extend_schema_field(OpenApiTypes.INT)
class VisibleStationField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return stations_visible_to(self.context["request"].user)


class PoolPersonMixin:
    def validate_person(self, person):
        # The pages offer the batch's pool only; the API accepts the same people.
        if not batch_pool(self.context["batch"]).filter(pk=person.pk).exists():
            raise serializers.ValidationError(_("%(name)s不在本批次的抽调人员库中") % {"name": person.name})
        return person


class MemberAssignSerializer(PoolPersonMixin, serializers.Serializer):
    person = VisiblePersonField()
    # Any slot: one of another formula is refused by the service, with its own message.
    slot = serializers.PrimaryKeyRelatedField(queryset=FormulaSlot.objects.all())


class MemberReplaceSerializer(PoolPersonMixin, serializers.Serializer):
    person = VisiblePersonField()


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=StationState.choices)


class BatchCreateSerializer(serializers.Serializer):
    """The fields of the page's batch form, with the same choices (units the user sees, of the kinds offered)."""

    name = serializers.CharField(max_length=100)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    organiser = VisibleUnitField(kinds=ORGANISER_KINDS, active=True)
    formula = serializers.PrimaryKeyRelatedField(queryset=TeamFormula.objects.filter(is_active=True))
    focus_themes = serializers.ListField(child=serializers.ChoiceField(choices=Theme.choices), required=False,
                                         default=list)
    targets = VisibleUnitField(kinds=TARGET_KINDS, active=True, many=True, required=False, default=list)
    targets_parent = VisibleUnitField(kinds=PARENT_KINDS, active=True, required=False, allow_null=True, default=None,
                                      help_text="乡镇（街道）：其全部在用的村（社区）并入监督对象")
    rounds = serializers.IntegerField(min_value=1, max_value=100)
    first_start = serializers.DateField()
    days = serializers.IntegerField(min_value=1, max_value=60, default=7)
    gap_days = serializers.IntegerField(min_value=0, max_value=365, default=2)
    complaint_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    complaint_mailbox = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    complaint_scope = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        chosen, parent = list(attrs["targets"]), attrs.pop("targets_parent")
        if parent is not None:  # as BatchForm.clean: the township's villages join the chosen targets
            known = {u.pk for u in chosen}
            chosen += [u for u in Unit.objects.filter(parent=parent, kind__in=LOCAL_KINDS, is_active=True)
                       .order_by("name", "id") if u.pk not in known]
        attrs["targets"] = chosen
        return attrs


class TrainingCreateSerializer(serializers.Serializer):
    topic = serializers.CharField(max_length=200)
    date = serializers.DateField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AttendanceSerializer(serializers.Serializer):
    people = VisiblePersonField(many=True, help_text="参训人员（本批次驻点成员）；替换原出勤名单")


class DeclareSerializer(serializers.Serializer):
    agree = serializers.BooleanField(help_text="须为 true：本人已阅读并作出回避承诺",
                                     error_messages={"required": gettext_lazy("请先勾选“我已阅读并作出以上承诺”")})

    def validate_agree(self, value):
        if not value:
            raise serializers.ValidationError(_("请先勾选“我已阅读并作出以上承诺”"))
        return value


class ExemptSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- objects without a helper of their own: through their station's (or batch's) ---------------------------------


def round_for_user(user, pk) -> Round:
    round_ = get_object_or_404(Round, pk=pk)
    batch_for_user(user, round_.batch_id)
    return round_


# --- filters (plain ids, as in supervision/api.py: a hidden parent filters to an empty list) ----------------------


class StationFilter(django_filters.FilterSet):
    batch = IdFilter(field_name="round__batch_id")

    class Meta:
        model = Station
        fields = ["batch", "state"]


class RoundFilter(django_filters.FilterSet):
    batch = IdFilter(field_name="batch_id")

    class Meta:
        model = Round
        fields = ["batch"]


# --- batches and rounds -------------------------------------------------------------------------------------------


class BatchViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BatchSerializer
    queryset = Batch.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"

    def get_queryset(self):
        return (batches_visible_to(self.request.user).prefetch_related("rounds", "targets")
                .order_by("-year", "-created_at", "-id"))

    def access(self, request, pk):
        return batch_for_user(request.user, pk)

    @documented("新建批次及其各轮次（与页面同样的选项和检查）。之后运行排班程序生成驻点方案。",
                request=BatchCreateSerializer, response=BatchSerializer, code=201)
    def create(self, request):
        require_perm(request.user, "rounds.view_batch")
        require_perm(request.user, "rounds.add_batch")
        data = validated(BatchCreateSerializer, request)
        with service_refusals():
            batch = batch_create(actor=request.user, **data)
        return Response(self.fresh(batch), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PlanResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
                   description="运行排班程序，生成驻点方案（替换原方案）。无解时返回400及原因，批次已确定时返回409。")
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        batch = batch_for_user(request.user, pk, "plan")
        with service_refusals(status.HTTP_409_CONFLICT):
            result = batch_plan(actor=request.user, batch=batch)
        if not result.ok:
            return Response({"detail": result.problems}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"stations": len(result.stations)})

    @extend_schema(request=None, responses={200: BatchSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
                   description="确认方案：每组对照组队模式和回避规则逐一检查，全部通过后驻点转为已排定。")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        batch = batch_for_user(request.user, pk, "plan")
        code = status.HTTP_409_CONFLICT if batch.state != BatchState.DRAFT else status.HTTP_400_BAD_REQUEST
        with service_refusals(code):
            batch = batch_confirm(actor=request.user, batch=batch)
        return Response(self.fresh(batch))

    @extend_schema(methods=["GET"], request=None, responses={200: TrainingSerializer(many=True)},
                   description="批次的巡前培训及出勤。")
    @documented("新增一次巡前培训（委机关）；出勤另行登记。", methods=["POST"], request=TrainingCreateSerializer,
                response=TrainingSerializer, code=201)
    @action(detail=True, methods=["get", "post"], serializer_class=TrainingCreateSerializer, pagination_class=None,
            filter_backends=[])
    def training(self, request, pk=None):
        if request.method == "GET":
            batch = batch_for_user(request.user, pk)
            sessions = batch.trainings.prefetch_related(_attendees()).order_by("date", "id")
            return Response(TrainingSerializer(sessions, many=True).data)
        batch = batch_for_user(request.user, pk, "plan")
        data = validated(TrainingCreateSerializer, request)
        with service_refusals():
            session = training_create(actor=request.user, batch=batch, **data)
        return Response(TrainingSerializer(session).data, status=status.HTTP_201_CREATED)


def _attendees() -> Prefetch:
    return Prefetch("attendees", queryset=Person.objects.order_by("name", "id"))


class RoundViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    """Rounds are made with their batch (batch_create) and have no writes of their own."""

    serializer_class = RoundDetailSerializer
    filterset_class = RoundFilter
    pagination_class = CountlessPagination
    queryset = Round.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        stations = Station.objects.select_related("target").order_by("target__name", "id")
        return (Round.objects.filter(batch__in=batches_visible_to(self.request.user)).select_related("batch")
                .prefetch_related(Prefetch("stations", queryset=stations))
                .order_by("-batch__year", "-batch_id", "number"))

    def access(self, request, pk):
        return round_for_user(request.user, pk)


class TrainingViewSet(AccessRetrieveMixin, viewsets.GenericViewSet):
    serializer_class = TrainingSerializer
    queryset = TrainingSession.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return TrainingSession.objects.prefetch_related(_attendees())

    def access(self, request, pk):
        return training_for_user(request.user, pk)

    @documented("登记出勤：参训人员名单（替换原名单），只能是本批次驻点成员。", request=AttendanceSerializer,
                response=TrainingSerializer)
    # JSON only: a form without the `people` field would read as "nobody attended" and clear the list.
    @action(detail=True, methods=["post"], serializer_class=AttendanceSerializer, parser_classes=[JSONParser])
    def attendance(self, request, pk=None):
        session = training_for_user(request.user, pk, "plan")
        data = validated(AttendanceSerializer, request)
        with service_refusals():
            training_attendance_set(actor=request.user, session=session, people=data["people"])
        return Response(self.fresh(session))


# --- stations and their members -----------------------------------------------------------------------------------


class StationViewSet(AccessRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StationSerializer
    filterset_class = StationFilter
    queryset = Station.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return (stations_visible_to(self.request.user).select_related("round", "target")
                .prefetch_related(members_prefetch()).order_by("round__start_date", "target__name", "id"))

    def access(self, request, pk):
        return station_for_user(request.user, pk)

    @documented("给驻点增加一名成员，与页面和排班程序使用同样的回避规则。", request=MemberAssignSerializer,
                response=MemberSerializer, code=201)
    @action(detail=True, methods=["post"], serializer_class=MemberAssignSerializer)
    def members(self, request, pk=None):
        station = station_for_user(request.user, pk, "plan")
        data = validated(MemberAssignSerializer, request, batch=station.round.batch)
        with service_refusals():
            member = member_assign(actor=request.user, station=station, **data)
        return Response(_member(member), status=status.HTTP_201_CREATED)

    @documented("按驻点状态流转表变更状态（谁可以变更见流转表）。", request=TransitionSerializer,
                response=StationSerializer)
    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        station = station_for_user(request.user, pk, "lead")
        data = validated(TransitionSerializer, request)
        with service_refusals():
            station = station_transition(actor=request.user, station=station, to=data["to"])
        return Response(self.fresh(station))

    @documented("发布监督检查公告：给公告编文号（只编一次，再次调用不变）。组长或委机关。", response=StationSerializer)
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        station = station_for_user(request.user, pk, "lead")
        with service_refusals():
            station = notice_issue(actor=request.user, station=station)
        return Response(self.fresh(station))

    @documented("生成驻点的监督清单（进驻后尚无清单时；已有清单的保持不变）。", response=ChecklistOpenSerializer)
    @action(detail=True, methods=["post"])
    def checklist(self, request, pk=None):
        station = station_for_user(request.user, pk, "work")
        if station.state not in WORK_STATES:
            raise Refused(DjangoValidationError(_("驻点处于“%(state)s”状态，不能记录驻点工作")
                                                % {"state": station.get_state_display()}))
        created = station_checklist_open(actor=request.user, station=station)
        total = station.checks.count()
        if not total:
            raise Refused(DjangoValidationError(_("没有可用的监督清单版本")))
        return Response({"created": created, "total": total})


def _member(member: StationMember) -> dict:
    return MemberSerializer(StationMember.objects.select_related("person__home_unit", "slot").get(pk=member.pk)).data


class MemberViewSet(viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    queryset = StationMember.objects.none()
    lookup_value_converter = "int"

    @documented("调换成员：同一组内角色换成另一人，与任何安排一样检查回避规则。", request=MemberReplaceSerializer,
                response=MemberSerializer)
    @action(detail=True, methods=["post"], serializer_class=MemberReplaceSerializer)
    def replace(self, request, pk=None):
        member = member_for_user(request.user, pk, "plan")
        data = validated(MemberReplaceSerializer, request, batch=member.station.round.batch)
        with service_refusals():
            member = member_replace(actor=request.user, member=member, person=data["person"])
        return Response(_member(member))

    @documented("本人签署回避承诺（只能由本人签署）。", request=DeclareSerializer, response=MemberSerializer)
    @action(detail=True, methods=["post"], serializer_class=DeclareSerializer)
    def declare(self, request, pk=None):
        member = member_for_user(request.user, pk)
        validated(DeclareSerializer, request)
        with service_refusals():
            member_declare(actor=request.user, member=member)
        return Response(_member(member))

    @documented("为成员登记免训（组长或委机关），须填写理由。", request=ExemptSerializer, response=MemberSerializer)
    @action(detail=True, methods=["post"], serializer_class=ExemptSerializer)
    def exempt(self, request, pk=None):
        member = member_for_user(request.user, pk, "lead")
        data = validated(ExemptSerializer, request)
        with service_refusals():
            member_exempt_training(actor=request.user, member=member, reason=data["reason"])
        return Response(_member(member))


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("batches", BatchViewSet, basename="api-batch")
router.register("rounds", RoundViewSet, basename="api-round")
router.register("training", TrainingViewSet, basename="api-training")
router.register("stations", StationViewSet, basename="api-station")
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = [*router.urls]
