"""REST API of the results of a round (成果运用): problem leads, dispositions, recommendations, special campaigns.
Mounted under /api/ by supervision/api.py (through findings.api.urlpatterns).

As in findings/api.py: lists come from the selectors in findings.selectors, every object (in retrieve and in every
write) goes through the access helper in findings.access, so anything the user may not see, or may not act on,
is a 404 (as on the pages); every write calls the same service as the pages and a refusal is a 400 whose "detail"
lists the service's own messages. A lead's content (who, what, how it was disposed of) is in the answer only for
those lead_content_visible / lead_content_filter allow; for everybody else those fields are null.

Every write has one shape, findings.api_shared.serve (rectification/api.py uses it too); ids in request bodies and
filters are plain ids (findings.api_shared: given_id, ChoiceId; rounds.api.IdFilter)."""

import django_filters
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from rounds.access import station_for_user
from rounds.api import CountlessPagination, ErrorSerializer, IdFilter
from rounds.models import Theme
from supervision.models import Unit
from supervision.views.common import require_perm

from .access import (
    campaign_for_user,
    disposition_for_user,
    finding_for_user,
    lead_content_visible,
    lead_for_user,
    recommendation_for_user,
)
from .api_shared import ChoiceId, body_value, checked_text, given_id, id_list, serve
from .forms import responsible_units
from .forms_campaigns import campaign_sheet_choices, campaign_unit_choices
from .models import (
    CampaignState,
    Disposition,
    DispositionForm,
    Evidence,
    Finding,
    FindingState,
    GovSanction,
    LeadDisposal,
    LeadState,
    PartySanction,
    PersonKind,
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
from .services.campaigns import (
    campaign_close,
    campaign_open,
    campaign_signals,
    campaign_start,
    campaign_update,
)
from .services.dispositions import disposition_create, disposition_update
from .services.leads import lead_cancel, lead_conclude, lead_create, lead_dispose, lead_transfer, lead_update
from .services.recommendations import (
    issuing_organs,
    recommendation_create,
    recommendation_issue,
    recommendation_reply,
    recommendation_update,
)


def unit_choices(station, current=None):
    """The units a lead or a disposition of the station may name (as on the page): the target, the unit above it,
    the units under it, and the one named already."""
    units = responsible_units(station)
    if current is not None:
        units = (units | Unit.objects.filter(pk=current.pk)).distinct()
    return units


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
    disposal = serializers.ChoiceField(choices=LeadDisposal.choices, read_only=True, allow_null=True,
                                       allow_blank=True)
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
        if data.get("disposal") == "":
            data["disposal"] = None  # not disposed of yet: null, as the schema says
        if not getattr(lead, "content", False):
            for name in LEAD_CONTENT_FIELDS:
                data[name] = None
        return data


# A lead's content (context: "finding", "units"). In a PATCH only the fields given change.
class LeadWriteSerializer(serializers.Serializer):
    subject_name = checked_text(help_text="被反映人（必填）")
    subject_post = checked_text()
    subject_unit = ChoiceId("units", gettext_lazy("所在单位须为本驻点的被监督单位、其上级或下属单位"),
                            required=False, allow_null=True, default=None)
    summary = checked_text(help_text="线索内容（必填）")
    suspected = checked_text()
    evidence = id_list(required=False, default=list, help_text="随函移送的证据材料：本底稿的证据材料")

    def validate_evidence(self, ids):
        ids = set(ids)
        rows = list(Evidence.objects.filter(finding=self.context["finding"], pk__in=ids))
        if len(rows) != len(ids):  # another sheet's file or none at all: the same answer
            raise serializers.ValidationError(_("证据材料须为本问题底稿的材料"))
        return rows


class LeadCreateSerializer(LeadWriteSerializer):
    finding = serializers.IntegerField(help_text="已确认的问题底稿")


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
    finding = IdFilter(field_name="finding_id")
    station = IdFilter(field_name="finding__station_id")
    batch = IdFilter(field_name="finding__station__round__batch_id")
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

    def _answer(self, lead) -> dict:
        return LeadSerializer(self.get_queryset().get(pk=lead.pk)).data

    def retrieve(self, request, *args, **kwargs):
        lead = lead_for_user(request.user, kwargs["pk"])
        lead.content = lead_content_visible(request.user, lead)
        return Response(LeadSerializer(lead).data)

    @extend_schema(request=LeadCreateSerializer, responses={201: LeadSerializer, 400: ErrorSerializer},
                   description="由已确认的问题底稿形成问题线索（待移送）：本驻点组长或委机关工作人员。")
    def create(self, request, *args, **kwargs):
        finding = finding_for_user(request.user, given_id(request, "finding"), "lead")
        data = LeadWriteSerializer(data=request.data, context={"finding": finding,
                                                               "units": unit_choices(finding.station)})
        return serve(request, lead_create, self._answer, data=data, code=status.HTTP_201_CREATED, finding=finding)

    @extend_schema(request=LeadWriteSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="修改待移送的问题线索（只改所给字段）：本驻点组长或委机关工作人员。")
    def partial_update(self, request, *args, **kwargs):
        lead = lead_for_user(request.user, kwargs["pk"], "edit")
        data = LeadWriteSerializer(data=request.data, partial=True, context={
            "finding": lead.finding, "units": unit_choices(lead.finding.station, lead.subject_unit)})
        return serve(request, lead_update, self._answer, data=data, lead=lead)

    @extend_schema(request=None, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="移送案件监督管理室：编发移送函文号并生成移送函。")
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return serve(request, lead_transfer, self._answer, lead=lead_for_user(request.user, pk, "edit"))

    @extend_schema(request=ReasonSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="撤销待移送的问题线索，须填写理由。")
    @action(detail=True, methods=["post"], serializer_class=ReasonSerializer)
    def cancel(self, request, pk=None):
        return serve(request, lead_cancel, self._answer, data=ReasonSerializer,
                     lead=lead_for_user(request.user, pk, "edit"))

    @extend_schema(request=DisposeSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="案件监督管理室记录处置方式（变更处置方式须填写说明）。")
    @action(detail=True, methods=["post"], serializer_class=DisposeSerializer)
    def dispose(self, request, pk=None):
        return serve(request, lead_dispose, self._answer, data=DisposeSerializer,
                     lead=lead_for_user(request.user, pk, "handle"))

    @extend_schema(request=ConcludeSerializer, responses={200: LeadSerializer, 400: ErrorSerializer},
                   description="案件监督管理室办结问题线索，须填写办理结果。")
    @action(detail=True, methods=["post"], serializer_class=ConcludeSerializer)
    def conclude(self, request, pk=None):
        return serve(request, lead_conclude, self._answer, data=ConcludeSerializer,
                     lead=lead_for_user(request.user, pk, "handle"))


# --- dispositions -----------------------------------------------------------------------------------------------


class DispositionSerializer(serializers.ModelSerializer):
    form_display = serializers.CharField(source="get_form_display", read_only=True)

    class Meta:
        model = Disposition
        fields = ["id", "finding", "lead", "person_name", "person_post", "person_unit", "person_kind",
                  "party_member", "form", "form_display", "measure", "party_sanction", "gov_sanction", "decided_on",
                  "decided_by", "created_at", "updated_at"]


# The service checks every rule (forms and sanctions, 村（社区）管理人员, dates) with its own messages.
# Context: "units". In a PATCH only the fields given change.
class DispositionWriteSerializer(serializers.Serializer):
    person_name = checked_text(help_text="姓名（必填）")
    person_post = checked_text(help_text="职务（必填）")
    person_unit = ChoiceId("units", gettext_lazy("单位须为本驻点的被监督单位、其上级或下属单位"),
                           required=False, allow_null=True, default=None, help_text="单位（必填）")
    person_kind = serializers.ChoiceField(choices=PersonKind.choices, required=False, allow_blank=True, default="")
    party_member = serializers.BooleanField(required=False, default=True)
    form = serializers.ChoiceField(choices=DispositionForm.choices, required=False, allow_null=True, default=None,
                                   help_text="运用形态（四种形态，1—4）")
    measure = checked_text(help_text="处理方式；未给予处分的必填")
    party_sanction = serializers.ChoiceField(choices=PartySanction.choices, required=False, allow_blank=True,
                                             default="")
    gov_sanction = serializers.ChoiceField(choices=GovSanction.choices, required=False, allow_blank=True,
                                           default="")
    decided_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="决定日期（必填）")
    decided_by = checked_text(help_text="决定机关（必填）")


class DispositionCreateSerializer(DispositionWriteSerializer):
    finding = serializers.IntegerField(required=False, help_text="来自已确认的问题底稿（委机关工作人员）")
    lead = serializers.IntegerField(required=False, help_text="或来自已移送的问题线索（案件监督管理室）")


class DispositionFilter(django_filters.FilterSet):
    person_unit = IdFilter(field_name="person_unit_id")
    finding = IdFilter(field_name="finding_id")
    lead = IdFilter(field_name="lead_id")
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

    def _answer(self, disposition) -> dict:
        return DispositionSerializer(disposition_for_user(self.request.user, disposition.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(DispositionSerializer(disposition_for_user(request.user, kwargs["pk"])).data)

    @extend_schema(request=DispositionCreateSerializer, responses={201: DispositionSerializer, 400: ErrorSerializer},
                   description="录入处理处分：来自问题底稿（委机关工作人员）或来自已移送的问题线索（案件监督管理室），"
                               "二者择一。")
    def create(self, request, *args, **kwargs):
        user = request.user
        finding_id, lead_id = given_id(request, "finding", required=False), given_id(request, "lead", required=False)
        finding = finding_for_user(user, finding_id) if finding_id is not None else None
        lead = lead_for_user(user, lead_id, "handle") if lead_id is not None else None
        require_perm(user, "findings.add_disposition")
        source = finding or (lead.finding if lead else None)
        # No source: the service refuses with its own message ("须来自一份问题底稿或一条问题线索").
        units = unit_choices(source.station) if source else Unit.objects.all()
        return serve(request, disposition_create, self._answer, code=status.HTTP_201_CREATED,
                     data=DispositionWriteSerializer(data=request.data, context={"units": units}),
                     finding=finding, lead=lead)

    @extend_schema(request=DispositionWriteSerializer, responses={200: DispositionSerializer, 400: ErrorSerializer},
                   description="修改处理处分（只改所给字段，按同样的规则检查）。")
    def partial_update(self, request, *args, **kwargs):
        disposition = disposition_for_user(request.user, kwargs["pk"], "change")
        station = (disposition.finding or disposition.lead.finding).station
        data = DispositionWriteSerializer(data=request.data, partial=True,
                                          context={"units": unit_choices(station, disposition.person_unit)})
        return serve(request, disposition_update, self._answer, data=data, disposition=disposition)


# --- recommendations --------------------------------------------------------------------------------------------


class RecommendationSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Recommendation
        # The linked problem sheets are left out: the recipient's liaison sees the letter, never the sheets.
        fields = ["id", "organ", "recipient", "station", "title", "facts", "causes", "items", "reply_due", "state",
                  "state_display", "number", "issued_at", "reply", "replied_on", "created_at", "updated_at"]


# Context: "findings" (the station's confirmed sheets and those linked already). In a PATCH only the fields
# given change; "findings", when given, replaces the linked sheets.
class RecommendationWriteSerializer(serializers.Serializer):
    organ = ChoiceId("organs", gettext_lazy("请选择发文机关"), required=False, allow_null=True, default=None,
                     help_text="发文机关：纪委监委、派驻纪检监察组或乡镇（街道）纪（工）委（必填）")
    recipient = ChoiceId("recipients", gettext_lazy("请选择主送单位"), required=False, allow_null=True, default=None,
                         help_text="主送单位（必填）")
    title = checked_text(help_text="标题（必填）")
    facts = checked_text(help_text="查明的事实（必填）")
    causes = checked_text(help_text="原因分析（必填）")
    items = checked_text(help_text="监督建议，每行一条（必填）")
    reply_due = serializers.DateField(required=False, allow_null=True, default=None, help_text="回复期限（必填）")
    findings = ChoiceId("findings", gettext_lazy("只能关联本驻点已确认的问题底稿"), many=True, required=False,
                        help_text="相关问题底稿：所依据驻点的已确认底稿")


class RecommendationCreateSerializer(RecommendationWriteSerializer):
    station = serializers.IntegerField(required=False, help_text="所依据的驻点（可选）")


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()
    replied_on = serializers.DateField()


class RecommendationFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=RecommendationState.choices)
    recipient = IdFilter(field_name="recipient_id")
    station = IdFilter(field_name="station_id")
    reply_due_before = django_filters.DateFilter(field_name="reply_due", lookup_expr="lte")
    reply_due_after = django_filters.DateFilter(field_name="reply_due", lookup_expr="gte")

    class Meta:
        model = Recommendation
        fields = ["state", "recipient", "station", "reply_due_before", "reply_due_after"]


def recommendation_choices(station, linked=()) -> dict:
    """The choices of the page's form (findings.forms_recommendations.RecommendationForm)."""
    sheets = Q(station=station, state=FindingState.CONFIRMED) if station is not None else Q(pk__in=[])
    return {"organs": issuing_organs(), "recipients": Unit.objects.filter(is_active=True),
            "findings": Finding.objects.filter(sheets | Q(pk__in=[f.pk for f in linked]))}


class RecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RecommendationSerializer
    filterset_class = RecommendationFilter
    pagination_class = CountlessPagination
    queryset = Recommendation.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return recommendations_visible_to(self.request.user).order_by("-created_at", "-id")

    def _answer(self, recommendation) -> dict:
        return RecommendationSerializer(recommendation_for_user(self.request.user, recommendation.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(RecommendationSerializer(recommendation_for_user(request.user, kwargs["pk"])).data)

    @extend_schema(request=RecommendationCreateSerializer,
                   responses={201: RecommendationSerializer, 400: ErrorSerializer},
                   description="起草纪检监察建议书（草稿）：委机关工作人员。")
    def create(self, request, *args, **kwargs):
        require_perm(request.user, "findings.add_recommendation")
        station_id = given_id(request, "station", required=False)
        station = station_for_user(request.user, station_id) if station_id is not None else None
        data = RecommendationWriteSerializer(data=request.data, context=recommendation_choices(station))
        return serve(request, recommendation_create, self._answer, data=data, code=status.HTTP_201_CREATED,
                     station=station)

    @extend_schema(request=RecommendationWriteSerializer, responses={200: RecommendationSerializer,
                                                                     400: ErrorSerializer},
                   description="修改建议书草稿（只改所给字段）：委机关工作人员。")
    def partial_update(self, request, *args, **kwargs):
        recommendation = recommendation_for_user(request.user, kwargs["pk"], "edit")
        choices = recommendation_choices(recommendation.station, recommendation.findings.all())
        data = RecommendationWriteSerializer(data=request.data, partial=True, context=choices)
        return serve(request, recommendation_update, self._answer, data=data, recommendation=recommendation)

    @extend_schema(request=None, responses={200: RecommendationSerializer, 400: ErrorSerializer},
                   description="签发建议书：编发文号并生成建议书。")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        return serve(request, recommendation_issue, self._answer,
                     recommendation=recommendation_for_user(request.user, pk, "issue"))

    @extend_schema(request=ReplySerializer, responses={200: RecommendationSerializer, 400: ErrorSerializer},
                   description="登记主送单位的书面回复（落实情况）。")
    @action(detail=True, methods=["post"], serializer_class=ReplySerializer)
    def reply(self, request, pk=None):
        return serve(request, recommendation_reply, self._answer, data=ReplySerializer,
                     recommendation=recommendation_for_user(request.user, pk, "reply"))


# --- special campaigns ------------------------------------------------------------------------------------------


class CampaignSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = SpecialCampaign
        fields = ["id", "title", "category", "description", "period_start", "period_end", "findings", "units",
                  "state", "state_display", "summary", "opened_at", "closed_at"]


# Context: "findings", "units" (the choices of the page's form). Left out, a field keeps its value (when
# opening: the period is the flag's window, the links are the flag's sheets and units).
class CampaignWriteSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, help_text="专项治理名称")
    description = serializers.CharField(required=False, allow_blank=True, help_text="治理内容")
    period_start = serializers.DateField(required=False, help_text="问题发现起始日期")
    period_end = serializers.DateField(required=False, help_text="问题发现截止日期")
    findings = ChoiceId("findings", gettext_lazy("只能关联本类别已确认的问题底稿"), many=True, required=False,
                        help_text="相关问题底稿（本类别已确认的底稿）")
    units = ChoiceId("units", gettext_lazy("只能选择本类别问题底稿涉及的单位"), many=True, required=False,
                     help_text="涉及单位（本类别问题底稿的单位）")


class CampaignOpenSerializer(CampaignWriteSerializer):
    category = serializers.ChoiceField(choices=Theme.choices, help_text="问题类别（系统提示的类别）")

    def validate(self, attrs):
        attrs.setdefault("title", _("%(label)s问题专项治理") % {"label": Theme(attrs["category"]).label})
        return attrs


class CloseSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, help_text="治理成效")


class SignalSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Theme.choices)
    label = serializers.CharField()
    flag = serializers.CharField(help_text="可能为系统性问题")
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    first_on = serializers.DateField()
    last_on = serializers.DateField()
    sheet_count = serializers.IntegerField()
    unit_count = serializers.IntegerField()
    findings = serializers.ListField(child=serializers.IntegerField(), source="finding_ids")
    units = serializers.ListField(child=serializers.IntegerField(), source="unit_ids")
    campaign = serializers.IntegerField(source="campaign.pk", allow_null=True, default=None,
                                        help_text="已覆盖该类别的进行中专项治理")


class CampaignFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CampaignState.choices)
    unit = IdFilter(field_name="units", distinct=True)

    class Meta:
        model = SpecialCampaign
        fields = ["state", "category", "unit"]


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    pagination_class = CountlessPagination
    queryset = SpecialCampaign.objects.none()
    lookup_value_converter = "int"

    def get_queryset(self):
        return (campaigns_visible_to(self.request.user).prefetch_related("units", "findings")
                .order_by("-opened_at", "-id"))

    def _answer(self, campaign) -> dict:
        return CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._answer(campaign_for_user(request.user, kwargs["pk"])))

    @extend_schema(request=None, responses={200: SignalSerializer(many=True)}, filters=False,
                   description="系统提示：近期在多个单位出现的同类问题（可能为系统性问题），可据此立项专项治理。")
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def signals(self, request):
        require_perm(request.user, "findings.view_specialcampaign")
        return Response(SignalSerializer(campaign_signals(), many=True).data)

    @extend_schema(request=CampaignOpenSerializer, responses={201: CampaignSerializer, 400: ErrorSerializer},
                   description="立项专项治理：只给类别时，名称、期间、问题底稿和单位取系统提示的内容。")
    @action(detail=False, methods=["post"], url_path="open", url_name="open", serializer_class=CampaignOpenSerializer)
    def open_(self, request):
        require_perm(request.user, "findings.add_specialcampaign")
        category = str(body_value(request, "category") or "")
        data = CampaignOpenSerializer(data=request.data, context={
            "findings": campaign_sheet_choices(category), "units": campaign_unit_choices(category)})
        return serve(request, campaign_open, self._answer, data=data, code=status.HTTP_201_CREATED)

    @extend_schema(request=CampaignWriteSerializer, responses={200: CampaignSerializer, 400: ErrorSerializer},
                   description="修改未结束的专项治理（只改所给字段）。")
    def partial_update(self, request, *args, **kwargs):
        campaign = campaign_for_user(request.user, kwargs["pk"], "change")
        data = CampaignWriteSerializer(data=request.data, partial=True, context={
            "findings": campaign_sheet_choices(campaign.category, campaign),
            "units": campaign_unit_choices(campaign.category, campaign)})
        return serve(request, campaign_update, self._answer, data=data, campaign=campaign)

    @extend_schema(request=None, responses={200: CampaignSerializer, 400: ErrorSerializer},
                   description="启动治理（已立项→治理中）。")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return serve(request, campaign_start, self._answer, campaign=campaign_for_user(request.user, pk, "change"))

    @extend_schema(request=CloseSerializer, responses={200: CampaignSerializer, 400: ErrorSerializer},
                   description="结束专项治理（治理中→已结束），须填写治理成效。")
    @action(detail=True, methods=["post"], serializer_class=CloseSerializer)
    def close(self, request, pk=None):
        return serve(request, campaign_close, self._answer, data=CloseSerializer,
                     campaign=campaign_for_user(request.user, pk, "change"))


router = routers.SimpleRouter(use_regex_path=False)  # <int:pk>: typed in the schema, 404 for non-numbers
router.register("leads", LeadViewSet, basename="api-lead")
router.register("dispositions", DispositionViewSet, basename="api-disposition")
router.register("recommendations", RecommendationViewSet, basename="api-recommendation")
router.register("campaigns", CampaignViewSet, basename="api-campaign")

urlpatterns = [*router.urls]
