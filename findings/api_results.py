"""REST API of the results of a round (成果运用): problem leads, dispositions, recommendations, special campaigns.
Mounted under /api/ by supervision/api.py (through findings.api.urlpatterns).

As in findings/api.py: lists come from the selectors in findings.selectors, every object (in retrieve and in every
action) goes through the access helper in findings.access, so anything the user may not see, or may not act on,
is a 404; every write calls the same service as the pages and a refusal is a 400 whose "detail" lists the
service's own messages. A lead's content (who, what, how it was disposed of) is in the answer only for those
lead_content_visible / lead_content_filter allow; for everybody else those fields are null."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import BooleanField, Case, Value, When
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rounds.api import refused
from supervision.models import Unit

from .access import (
    campaign_for_user,
    disposition_for_user,
    finding_for_user,
    lead_content_visible,
    lead_for_user,
    recommendation_for_user,
)
from .api import CountlessPagination, ErrorSerializer
from .models import (
    CampaignState,
    Disposition,
    Evidence,
    LeadDisposal,
    LeadState,
    ProblemLead,
    Recommendation,
    RecommendationState,
    SpecialCampaign,
)
from .selectors import (
    campaigns_visible_to,
    dispositions_visible_to,
    lead_content_filter,
    leads_visible_to,
    recommendations_visible_to,
)
from .services.leads import lead_cancel, lead_conclude, lead_create, lead_dispose, lead_transfer
from .services.recommendations import recommendation_issue, recommendation_reply

# --- problem leads ----------------------------------------------------------------------------------------------

LEAD_CONTENT_FIELDS = ["subject_name", "subject_post", "subject_unit", "summary", "suspected", "cancel_reason",
                       "disposal", "disposal_note", "disposed_at", "result", "concluded_at"]


class LeadSerializer(serializers.ModelSerializer):
    station = serializers.IntegerField(source="finding.station_id", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    content_visible = serializers.BooleanField(source="content", read_only=True,
                                               help_text="是否可以查看线索内容；不可查看时内容字段为 null")
    subject_name = serializers.CharField(read_only=True, allow_null=True)
    subject_post = serializers.CharField(read_only=True, allow_null=True)
    subject_unit = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True, allow_null=True)
    suspected = serializers.CharField(read_only=True, allow_null=True)
    cancel_reason = serializers.CharField(read_only=True, allow_null=True)
    disposal = serializers.ChoiceField(choices=LeadDisposal.choices, read_only=True, allow_null=True)
    disposal_note = serializers.CharField(read_only=True, allow_null=True)
    disposed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    result = serializers.CharField(read_only=True, allow_null=True)
    concluded_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = ProblemLead
        fields = ["id", "finding", "station", "state", "state_display", "transfer_number", "transferred_at",
                  "created_at", "updated_at", "content_visible", *LEAD_CONTENT_FIELDS]

    def to_representation(self, lead):
        data = super().to_representation(lead)
        if not getattr(lead, "content", False):
            for name in LEAD_CONTENT_FIELDS:
                data[name] = None
        return data


class LeadCreateSerializer(serializers.Serializer):
    finding = serializers.IntegerField(help_text="已确认的问题底稿")
    subject_name = serializers.CharField(max_length=50)
    subject_post = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    subject_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), required=False, allow_null=True,
                                                      default=None)
    summary = serializers.CharField()
    suspected = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                     help_text="本底稿的证据材料")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class DisposeSerializer(serializers.Serializer):
    disposal = serializers.ChoiceField(choices=LeadDisposal.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConcludeSerializer(serializers.Serializer):
    result = serializers.CharField()


class LeadFilter(django_filters.FilterSet):
    # Plain ids, as everywhere in the API: an id the user may not see filters to an empty list.
    state = django_filters.ChoiceFilter(choices=LeadState.choices)
    finding = django_filters.NumberFilter(field_name="finding_id")
    station = django_filters.NumberFilter(field_name="finding__station_id")
    batch = django_filters.NumberFilter(field_name="finding__station__round__batch_id")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = ProblemLead
        fields = ["state", "finding", "station", "batch", "created_after", "created_before"]


def with_content(queryset, user):
    return queryset.annotate(content=Case(When(lead_content_filter(user), then=Value(True)), default=Value(False),
                                          output_field=BooleanField()))


class LeadViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    pagination_class = CountlessPagination
    queryset = ProblemLead.objects.none()  # for the schema; requests use get_queryset
    lookup_value_converter = "int"

    def get_queryset(self):
        return (with_content(leads_visible_to(self.request.user), self.request.user)
                .select_related("finding").order_by("-created_at", "-id"))

    def _answer(self, lead, code=status.HTTP_200_OK) -> Response:
        lead = self.get_queryset().get(pk=lead.pk)
        return Response(LeadSerializer(lead).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        lead = lead_for_user(request.user, kwargs["pk"])
        lead.content = lead_content_visible(request.user, lead)
        return Response(LeadSerializer(lead).data)

    @extend_schema(request=LeadCreateSerializer, responses={201: LeadSerializer, 400: ErrorSerializer},
                   description="由已确认的问题底稿形成问题线索（待移送）：本驻点组长或委机关工作人员。")
    def create(self, request, *args, **kwargs):
        serializer = LeadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        finding = finding_for_user(request.user, data.pop("finding"), "lead")
        # Only the sheet's own files: any other id (of another sheet, or none at all) gets the same answer.
        ids = set(data["evidence"])
        data["evidence"] = list(Evidence.objects.filter(finding=finding, pk__in=ids))
        if len(data["evidence"]) != len(ids):
            return Response({"detail": [_("证据材料须为本问题底稿的材料")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            lead = lead_create(actor=request.user, finding=finding, **data)
        except DjangoValidationError as error:
            return refused(error)
        return self._answer(lead, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="移送案件监督管理室：编发移送函文号并生成移送函。")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        lead = lead_for_user(request.user, pk, "edit")
        try:
            lead = lead_transfer(actor=request.user, lead=lead)
        except DjangoValidationError as error:
            return refused(error)
        return self._answer(lead)

    @extend_schema(request=ReasonSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="撤销待移送的问题线索，须填写理由。")
    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def cancel(self, request, pk=None):
        lead = lead_for_user(request.user, pk, "edit")
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            lead = lead_cancel(actor=request.user, lead=lead, reason=serializer.validated_data["reason"])
        except DjangoValidationError as error:
            return refused(error)
        return self._answer(lead)

    @extend_schema(request=DisposeSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="案件监督管理室记录处置方式（变更处置方式须填写说明）。")
    @action(detail=True, methods=["post"], serializer_class=DisposeSerializer)
    def dispose(self, request, pk=None):
        lead = lead_for_user(request.user, pk, "handle")
        serializer = DisposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            lead = lead_dispose(actor=request.user, lead=lead, **serializer.validated_data)
        except DjangoValidationError as error:
            return refused(error)
        return self._answer(lead)

    @extend_schema(request=ConcludeSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="案件监督管理室办结问题线索，须填写办理结果。")
    @action(detail=True, methods=["post"], serializer_class=ConcludeSerializer)
    def conclude(self, request, pk=None):
        lead = lead_for_user(request.user, pk, "handle")
        serializer = ConcludeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            lead = lead_conclude(actor=request.user, lead=lead, result=serializer.validated_data["result"])
        except DjangoValidationError as error:
            return refused(error)
        return self._answer(lead)


# --- dispositions (read-only here; recorded on the pages) -------------------------------------------------------


class DispositionSerializer(serializers.ModelSerializer):
    form_display = serializers.CharField(source="get_form_display", read_only=True)

    class Meta:
        model = Disposition
        fields = ["id", "finding", "lead", "person_name", "person_post", "person_unit", "person_kind",
                  "party_member", "form", "form_display", "measure", "party_sanction", "gov_sanction", "decided_on",
                  "decided_by", "created_at", "updated_at"]


class DispositionFilter(django_filters.FilterSet):
    person_unit = django_filters.NumberFilter(field_name="person_unit_id")
    finding = django_filters.NumberFilter(field_name="finding_id")
    lead = django_filters.NumberFilter(field_name="lead_id")
    decided_after = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte")
    decided_before = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte")

    class Meta:
        model = Disposition
        fields = ["form", "person_kind", "person_unit", "finding", "lead", "decided_after", "decided_before"]


class DispositionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DispositionSerializer
    filterset_class = DispositionFilter
    pagination_class = CountlessPagination
    queryset = Disposition.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return dispositions_visible_to(self.request.user).order_by("-decided_on", "-id")

    def retrieve(self, request, *args, **kwargs):
        return Response(DispositionSerializer(disposition_for_user(request.user, kwargs["pk"])).data)


# --- recommendations --------------------------------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Recommendation
        # The linked problem sheets are left out: the recipient's liaison sees the letter, never the sheets.
        fields = ["id", "organ", "recipient", "station", "title", "facts", "causes", "items", "reply_due", "state",
                  "state_display", "number", "issued_at", "reply", "replied_on", "created_at", "updated_at"]


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()
    replied_on = serializers.DateField()


class RecommendationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RecommendationState.choices)
    recipient = django_filters.NumberFilter(field_name="recipient_id")
    station = django_filters.NumberFilter(field_name="station_id")
    reply_due_before = django_filters.DateFilter(field_name="reply_due", lookup_expr="lte")
    reply_due_after = django_filters.DateFilter(field_name="reply_due", lookup_expr="gte")

    class Meta:
        model = Recommendation
        fields = ["state", "recipient", "station", "reply_due_before", "reply_due_after"]


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter
    queryset = Recommendation.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return recommendations_visible_to(self.request.user).order_by("-created_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        return Response(RecommendationSerializer(recommendation_for_user(request.user, kwargs["pk"])).data)

    @extend_schema(request=None, responses={200: RecommendationSerializer, 400: ErrorSerializer},
                   description="签发建议书：编发文号并生成建议书。")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        recommendation = recommendation_for_user(request.user, pk, "issue")
        try:
            recommendation = recommendation_issue(actor=request.user, recommendation=recommendation)
        except DjangoValidationError as error:
            return refused(error)
        return Response(RecommendationSerializer(recommendation).data)

    @extend_schema(request=ReplySerializer, responses={200: RecommendationSerializer, 400: ErrorSerializer},
                   description="登记主送单位的书面回复（落实情况）。")
    @action(detail=True, methods=["post"], serializer_class=ReplySerializer)
    def reply(self, request, pk=None):
        recommendation = recommendation_for_user(request.user, pk, "reply")
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            recommendation = recommendation_reply(actor=request.user, recommendation=recommendation,
                                                  **serializer.validated_data)
        except DjangoValidationError as error:
            return refused(error)
        return Response(RecommendationSerializer(recommendation).data)


# --- special campaigns (read-only here) -------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = SpecialCampaign
        fields = ["id", "title", "category", "description", "period_start", "period_end", "units", "state",
                  "state_display", "summary", "opened_at", "closed_at"]


class CampaignFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CampaignState.choices)
    unit = django_filters.NumberFilter(field_name="units", distinct=True)

    class Meta:
        model = SpecialCampaign
        fields = ["state", "category", "unit"]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    queryset = SpecialCampaign.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return campaigns_visible_to(self.request.user).prefetch_related("units").order_by("-opened_at", "-id")

    def retrieve(self, request, *args, **kwargs):
        campaign_for_user(request.user, kwargs["pk"])
        return Response(CampaignSerializer(self.get_queryset().get(pk=kwargs["pk"])).data)


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("leads", LeadViewSet, basename="api-lead")
router.register("dispositions", DispositionViewSet, basename="api-disposition")
router.register("recommendations", RecommendationViewSet, basename="api-recommendation")
router.register("campaigns", CampaignViewSet, basename="api-campaign")

urlpatterns = [*router.urls]
