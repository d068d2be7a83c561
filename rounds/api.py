"""REST API of rounds. Its urlpatterns are mounted under /api/ by supervision/api.py (which wraps them with
login_not_required, so the API answers 401/403 itself).

Reads are scoped with the same selectors as the pages; every object goes through the same access helper
(an object the user may not see, or may not act on, is a 404); every write calls the same service as the pages,
and a refusal is a 400 whose "detail" lists the service's own messages."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from supervision.models import Person
from supervision.selectors import people_visible_to

from .access import batch_for_user, member_for_user, station_for_user
from .models import Batch, BatchState, FormulaSlot, Round, Station, StationMember, StationState
from .selectors import batches_visible_to, members_prefetch, stations_visible_to
from .services.facts import batch_pool
from .services.members import member_assign, member_replace
from .services.planning import batch_confirm, batch_plan
from .services.stations import station_transition

# --- output -----------------------------------------------------------------------------------------------------


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


class SlotBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormulaSlot
        fields = ["id", "label", "is_leader"]


class PersonBriefSerializer(serializers.ModelSerializer):
    home_unit_name = serializers.CharField(source="home_unit.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "category", "home_unit", "home_unit_name"]


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


ErrorSerializer = inline_serializer("RoundsError", {
    "detail": serializers.ListField(child=serializers.CharField(), help_text="服务层给出的全部理由"),
})
PlanResultSerializer = inline_serializer("BatchPlanResult", {"stations": serializers.IntegerField()})

# --- input ------------------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person the user may see (someone they may not see does not exist, as everywhere else)."""

    def get_queryset(self):
        return people_visible_to(self.context["request"].user).select_related("home_unit")


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


def refused(error: DjangoValidationError, status_code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    if hasattr(error, "error_dict"):
        return Response({"detail": [m for messages in error.message_dict.values() for m in messages]},
                        status=status_code)
    return Response({"detail": error.messages}, status=status_code)


# --- views ------------------------------------------------------------------------------------------------------


class StationFilter(django_filters.FilterSet):
    # Plain ids, as in supervision/api.py: a batch the user may not see filters to an empty list.
    batch = django_filters.NumberFilter(field_name="round__batch_id")

    class Meta:
        model = Station
        fields = ["batch", "state"]


class BatchViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BatchSerializer
    queryset = Batch.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"

    def get_queryset(self):
        return (batches_visible_to(self.request.user).prefetch_related("rounds", "targets")
                .order_by("-year", "-created_at", "-id"))

    @extend_schema(request=None, responses={200: PlanResultSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
                   description="运行排班程序，生成驻点方案（替换原方案）。无解时返回400及原因，批次已确定时返回409。")
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        batch = batch_for_user(request.user, pk, "plan")
        try:
            result = batch_plan(actor=request.user, batch=batch)
        except DjangoValidationError as error:
            return refused(error, status.HTTP_409_CONFLICT)
        if not result.ok:
            return Response({"detail": result.problems}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"stations": len(result.stations)})

    @extend_schema(request=None, responses={200: BatchSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
                   description="确认方案：每组对照组队模式和回避规则逐一检查，全部通过后驻点转为已排定。")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        batch = batch_for_user(request.user, pk, "plan")
        if batch.state != BatchState.DRAFT:
            code = status.HTTP_409_CONFLICT
        else:
            code = status.HTTP_400_BAD_REQUEST
        try:
            batch = batch_confirm(actor=request.user, batch=batch)
        except DjangoValidationError as error:
            return refused(error, code)
        return Response(BatchSerializer(self.get_queryset().get(pk=batch.pk)).data)


class StationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StationSerializer
    filterset_class = StationFilter
    queryset = Station.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return (stations_visible_to(self.request.user).select_related("round", "target")
                .prefetch_related(members_prefetch()).order_by("round__start_date", "target__name", "id"))

    def _fresh(self, station) -> dict:
        return StationSerializer(self.get_queryset().get(pk=station.pk)).data

    @extend_schema(request=MemberAssignSerializer, responses={201: MemberSerializer, 400: ErrorSerializer},
                   description="给驻点增加一名成员，与页面和排班程序使用同样的回避规则。")
    @action(detail=True, methods=["post"], serializer_class=MemberAssignSerializer)
    def members(self, request, pk=None):
        station = station_for_user(request.user, pk, "plan")
        serializer = MemberAssignSerializer(data=request.data,
                                            context={"request": request, "batch": station.round.batch})
        serializer.is_valid(raise_exception=True)
        try:
            member = member_assign(actor=request.user, station=station, **serializer.validated_data)
        except DjangoValidationError as error:
            return refused(error)
        member = StationMember.objects.select_related("person__home_unit", "slot").get(pk=member.pk)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransitionSerializer, responses={200: StationSerializer, 400: ErrorSerializer},
                   description="按驻点状态流转表变更状态（谁可以变更见流转表）。")
    @action(detail=True, methods=["post"], serializer_class=TransitionSerializer)
    def transition(self, request, pk=None):
        station = station_for_user(request.user, pk, "lead")
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            station = station_transition(actor=request.user, station=station, to=serializer.validated_data["to"])
        except DjangoValidationError as error:
            return refused(error)
        return Response(self._fresh(station))


class MemberViewSet(viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    queryset = StationMember.objects.none()
    lookup_value_converter = "int"

    @extend_schema(request=MemberReplaceSerializer, responses={200: MemberSerializer, 400: ErrorSerializer},
                   description="调换成员：同一组内角色换成另一人，与任何安排一样检查回避规则。")
    @action(detail=True, methods=["post"], serializer_class=MemberReplaceSerializer)
    def replace(self, request, pk=None):
        member = member_for_user(request.user, pk, "plan")
        serializer = MemberReplaceSerializer(data=request.data,
                                             context={"request": request, "batch": member.station.round.batch})
        serializer.is_valid(raise_exception=True)
        try:
            member = member_replace(actor=request.user, member=member, person=serializer.validated_data["person"])
        except DjangoValidationError as error:
            return refused(error)
        member = StationMember.objects.select_related("person__home_unit", "slot").get(pk=member.pk)
        return Response(MemberSerializer(member).data)


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("batches", BatchViewSet, basename="api-batch")
router.register("stations", StationViewSet, basename="api-station")
router.register("members", MemberViewSet, basename="api-member")

urlpatterns = [*router.urls]
