"""Questionnaires (调查问卷): the templates commission staff keep, a station publishing one on its public page,
villagers answering anonymously, and the aggregated results the team reads and exports.

Answers are anonymous: a response keeps the answers and a keyed hash of the sender's address (to throttle,
as complaints do), never a user or an address; its audit event leaves the request's address out."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supervision.audit import audit_record

from ..access import can_plan, can_work
from ..models import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireResponse,
    Station,
    StationQuestionnaire,
    StationState,
)
from ..states import ACCEPTS_COMPLAINTS
from .stations import Throttled, _source_hash

MAX_OPTIONS = 20
MAX_OPTION_LEN = 100
MAX_TEXT_ANSWER = 1000
MAX_QUESTIONS = 50
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE}


# ---------------------------------------------------------------------------------------------- templates

def clean_options(kind: str, options) -> list[str]:
    """The options of a question: a list of 2..20 distinct non-empty texts for a choice question, none for text."""
    if kind not in QuestionKind.values:
        raise ValidationError(_("未知的题型"))
    if kind == QuestionKind.TEXT:
        return []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise ValidationError(_("选项须为文字列表"))
    cleaned = [o.strip() for o in options if o.strip()]
    if len(cleaned) < 2:
        raise ValidationError(_("选择题至少要有两个选项"))
    if len(cleaned) > MAX_OPTIONS:
        raise ValidationError(_("选项最多%(n)d个") % {"n": MAX_OPTIONS})
    if len(set(cleaned)) != len(cleaned):
        raise ValidationError(_("选项不能重复"))
    if any(len(o) > MAX_OPTION_LEN for o in cleaned):
        raise ValidationError(_("每个选项最多%(n)d字") % {"n": MAX_OPTION_LEN})
    return cleaned


def _clean_questions(questions: list[dict]) -> list[dict]:
    if not questions:
        raise ValidationError(_("问卷至少要有一道题"))
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(_("问卷最多%(n)d道题") % {"n": MAX_QUESTIONS})
    cleaned, errors = [], []
    for n, q in enumerate(questions, start=1):
        text = (q.get("text") or "").strip()
        kind = q.get("kind") or ""
        try:
            if not text:
                raise ValidationError(_("题目不能为空"))
            if len(text) > 300:
                raise ValidationError(_("题目最多300字"))
            options = clean_options(kind, q.get("options") or [])
        except ValidationError as error:
            errors.extend(_("第%(n)d题：%(msg)s") % {"n": n, "msg": m} for m in error.messages)
            continue
        cleaned.append({"kind": kind, "text": text, "options": options, "required": bool(q.get("required", True)),
                        "order": n})
    if errors:
        raise ValidationError(errors)
    return cleaned


def questionnaire_in_use(questionnaire: Questionnaire) -> bool:
    return StationQuestionnaire.objects.filter(questionnaire=questionnaire).exists()


def _check_planner(actor) -> None:
    if not can_plan(actor):
        raise ValidationError(_("只有委机关工作人员可以管理问卷模板"))


@transaction.atomic
def questionnaire_create(*, actor, title: str, intro: str = "", questions: list[dict],
                         is_active: bool = True) -> Questionnaire:
    if actor is not None:
        _check_planner(actor)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写问卷标题")})
    cleaned = _clean_questions(questions)
    questionnaire = Questionnaire(title=title[:100], intro=(intro or "").strip(), is_active=is_active,
                                  created_by=actor if getattr(actor, "is_authenticated", False) else None)
    questionnaire.full_clean()
    questionnaire.save()
    Question.objects.bulk_create([Question(questionnaire=questionnaire, **q) for q in cleaned])
    audit_record(actor=actor, action="questionnaire.create", obj=questionnaire,
                 changes={"questionnaire": {"before": "", "after": f"{title}（{len(cleaned)}题）"}})
    return questionnaire


@transaction.atomic
def questionnaire_update(*, actor, questionnaire: Questionnaire, title: str, intro: str, is_active: bool,
                         questions: list[dict]) -> Questionnaire:
    """Change a template. Once a station has published it, its questions are fixed (the answers refer to
    them); only the title, the introduction and whether it is offered can still change."""
    _check_planner(actor)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写问卷标题")})
    cleaned = _clean_questions(questions)
    current = [{"kind": q.kind, "text": q.text, "options": list(q.options), "required": q.required,
                "order": q.order} for q in questionnaire.questions.order_by("order", "id")]
    questions_changed = cleaned != current
    if questions_changed and questionnaire_in_use(questionnaire):
        raise ValidationError(_("该问卷已被驻点发布，题目不能再修改；如需调整，请新建问卷"))
    before = {"title": questionnaire.title, "is_active": questionnaire.is_active}
    questionnaire.title, questionnaire.intro, questionnaire.is_active = title[:100], (intro or "").strip(), is_active
    questionnaire.save()
    if questions_changed:
        questionnaire.questions.all().delete()
        Question.objects.bulk_create([Question(questionnaire=questionnaire, **q) for q in cleaned])
    changes = {k: {"before": str(before[k]), "after": str(getattr(questionnaire, k))}
               for k in before if before[k] != getattr(questionnaire, k)}
    if questions_changed:
        changes["questions"] = {"before": f"{len(current)}题", "after": f"{len(cleaned)}题"}
    audit_record(actor=actor, action="questionnaire.update", obj=questionnaire, changes=changes)
    return questionnaire


# ---------------------------------------------------------------------------------------------- a station's

def _check_team(actor, station: Station) -> None:
    if actor is None:  # the system itself (the demo loader)
        return
    if not can_work(actor, station):
        raise ValidationError(_("只有本驻点检查组成员可以发布问卷"))


@transaction.atomic
def station_questionnaire_publish(*, actor, station: Station, questionnaire: Questionnaire) -> StationQuestionnaire:
    """Publish (or reopen) the station's questionnaire on its public page. Once answers came in, the station
    keeps that questionnaire."""
    if station.state not in ACCEPTS_COMPLAINTS:
        raise ValidationError(_("本驻点目前不在受理期，不能发布问卷"))
    _check_team(actor, station)
    if not questionnaire.is_active:
        raise ValidationError(_("该问卷已停用"))
    if not questionnaire.questions.exists():
        raise ValidationError(_("该问卷还没有题目"))
    current = StationQuestionnaire.objects.select_for_update().filter(station=station).first()
    if current is None:
        current = StationQuestionnaire.objects.create(station=station, questionnaire=questionnaire, is_open=True)
        before = ""
    else:
        before = f"{current.questionnaire.title}（{_('接受作答') if current.is_open else _('已关闭')}）"
        if current.questionnaire_id != questionnaire.pk:
            if current.responses.exists():
                raise ValidationError(_("本驻点的问卷已有答卷，不能更换为其他问卷"))
            current.questionnaire = questionnaire
        current.is_open = True
        current.save()
    audit_record(actor=actor, action="questionnaire.publish", obj=station,
                 changes={"questionnaire": {"before": before, "after": f"{questionnaire.title}（{_('接受作答')}）"}})
    return current


@transaction.atomic
def station_questionnaire_close(*, actor, station: Station) -> StationQuestionnaire:
    _check_team(actor, station)
    current = StationQuestionnaire.objects.select_for_update(of=("self",)).select_related("questionnaire").filter(
        station=station).first()
    if current is None:
        raise ValidationError(_("本驻点尚未发布问卷"))
    if not current.is_open:
        raise ValidationError(_("问卷已经关闭"))
    current.is_open = False
    current.save(update_fields=["is_open"])
    audit_record(actor=actor, action="questionnaire.close", obj=station,
                 changes={"questionnaire": {"before": f"{current.questionnaire.title}（{_('接受作答')}）",
                                            "after": f"{current.questionnaire.title}（{_('已关闭')}）"}})
    return current


def open_questionnaire(station: Station) -> StationQuestionnaire | None:
    """The questionnaire villagers may answer now, if any."""
    if station.state not in ACCEPTS_COMPLAINTS or station.state == StationState.PROPOSED:
        return None
    current = StationQuestionnaire.objects.filter(station=station, is_open=True).select_related(
        "questionnaire").first()
    return current


# ---------------------------------------------------------------------------------------------- answering

def clean_answers(questions: list[Question], raw: dict) -> dict:
    """Turn what was posted ({question id: str or [str]}) into stored answers ({"id": index | [indexes] | text}),
    or raise a ValidationError keyed "q<id>" per question."""
    answers, errors = {}, {}
    for q in questions:
        value = raw.get(q.pk)
        key = f"q{q.pk}"
        if q.kind == QuestionKind.TEXT:
            text = (value if isinstance(value, str) else "").strip()
            if len(text) > MAX_TEXT_ANSWER:
                errors[key] = _("最多%(n)d字") % {"n": MAX_TEXT_ANSWER}
            elif text:
                answers[str(q.pk)] = text
            elif q.required:
                errors[key] = _("此题必答")
            continue
        values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        values = [v for v in values if v not in (None, "")]
        try:
            indexes = [int(v) for v in values]
        except (TypeError, ValueError):
            errors[key] = _("选项无效")
            continue
        if any(i < 0 or i >= len(q.options) for i in indexes) or len(set(indexes)) != len(indexes):
            errors[key] = _("选项无效")
            continue
        if not indexes:
            if q.required:
                errors[key] = _("此题必答")
            continue
        if q.kind == QuestionKind.SINGLE:
            if len(indexes) != 1:
                errors[key] = _("此题只能选一项")
                continue
            answers[str(q.pk)] = indexes[0]
        else:
            answers[str(q.pk)] = sorted(indexes)
    if errors:
        raise ValidationError(errors)
    return answers


def response_submit(*, station_questionnaire: StationQuestionnaire, raw: dict, source: str) -> QuestionnaireResponse:
    station = station_questionnaire.station
    if not station_questionnaire.is_open or station.state not in ACCEPTS_COMPLAINTS:
        raise ValidationError(_("本问卷已结束，感谢您的关注"))
    questions = list(station_questionnaire.questionnaire.questions.all())
    answers = clean_answers(questions, raw)
    if not answers:
        raise ValidationError(_("请至少回答一道题"))
    source_hash = _source_hash(source)
    limit = getattr(settings, "PUBLIC_SURVEY_LIMIT", settings.PUBLIC_COMPLAINT_LIMIT)
    window = timezone.now() - timedelta(
        seconds=getattr(settings, "PUBLIC_SURVEY_WINDOW_SECONDS", settings.PUBLIC_COMPLAINT_WINDOW_SECONDS))
    with transaction.atomic():
        # One submission at a time per station, so a burst cannot slip past the count below.
        Station.objects.select_for_update().filter(pk=station.pk).first()
        recent = QuestionnaireResponse.objects.filter(source_hash=source_hash, created_at__gte=window).count()
        if recent >= limit:
            raise Throttled
        response = QuestionnaireResponse.objects.create(station_questionnaire=station_questionnaire,
                                                        answers=answers, source_hash=source_hash)
        audit_record(actor=None, action="questionnaire.answer", obj=station, anonymous_source=True,
                     changes={"questionnaire": {"before": "", "after": station_questionnaire.questionnaire.title}})
    return response


# ---------------------------------------------------------------------------------------------- results

@dataclass
class OptionResult:
    label: str
    count: int = 0
    percent: float = 0.0


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    options: list[OptionResult] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class Results:
    total: int
    questions: list[QuestionResult]


def questionnaire_results(station_questionnaire: StationQuestionnaire) -> Results:
    """Counts per option and the share of the respondents who answered the question (a multiple-choice
    question's shares may add up to more than 100%); free-text answers in the order they came. Two queries,
    however many responses."""
    questions = list(station_questionnaire.questionnaire.questions.all())
    results = {q.pk: QuestionResult(question=q, options=[OptionResult(label=o) for o in q.options])
               for q in questions}
    total = 0
    rows = (QuestionnaireResponse.objects.filter(station_questionnaire=station_questionnaire)
            .order_by("created_at", "id").values_list("answers", flat=True))
    for answers in rows.iterator(chunk_size=2000):
        total += 1
        for key, value in (answers or {}).items():
            try:
                result = results.get(int(key))
            except (TypeError, ValueError):
                continue
            if result is None:
                continue
            kind = result.question.kind
            if kind == QuestionKind.TEXT:
                if isinstance(value, str) and value:
                    result.answered += 1
                    result.texts.append(value)
                continue
            picked = value if isinstance(value, list) else [value]
            picked = [i for i in picked if isinstance(i, int) and 0 <= i < len(result.options)]
            if picked:
                result.answered += 1
                for i in picked:
                    result.options[i].count += 1
    for result in results.values():
        for option in result.options:
            option.percent = round(100 * option.count / result.answered, 1) if result.answered else 0.0
    return Results(total=total, questions=[results[q.pk] for q in questions])


def results_workbook(station_questionnaire: StationQuestionnaire) -> bytes:
    """The results as an Excel workbook: a summary sheet (counts and shares per option, free-text answers) and
    one row per response (its date only, nothing that could point at a villager)."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ..notice import target_name

    results = questionnaire_results(station_questionnaire)
    questionnaire = station_questionnaire.questionnaire
    bold = Font(bold=True)

    def put(ws, row, col, value, *, font=None):
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a villager's "=HYPERLINK(...)" stays text, never a formula
        if font:
            cell.font = font
        return cell

    book = Workbook()
    summary = book.active
    summary.title = _("汇总")
    put(summary, 1, 1, questionnaire.title, font=Font(bold=True, size=14))
    put(summary, 2, 1, _("驻点"))
    put(summary, 2, 2, target_name(station_questionnaire.station))
    put(summary, 3, 1, _("答卷数"))
    put(summary, 3, 2, results.total)
    row = 5
    for col, head in enumerate([_("序号"), _("题目"), _("选项"), _("人数"), _("比例（%）")], start=1):
        put(summary, row, col, head, font=bold)
    for n, result in enumerate(results.questions, start=1):
        row += 1
        put(summary, row, 1, n)
        put(summary, row, 2, f"{result.question.text}（{result.question.get_kind_display()}）")
        if result.question.kind == QuestionKind.TEXT:
            put(summary, row, 3, _("共%(n)d条回答，见“答卷明细”") % {"n": len(result.texts)})
            put(summary, row, 4, len(result.texts))
            continue
        for i, option in enumerate(result.options):
            if i:
                row += 1
            put(summary, row, 3, option.label)
            put(summary, row, 4, option.count)
            put(summary, row, 5, option.percent)
    for col, width in zip("ABCDE", (8, 48, 30, 10, 12), strict=True):
        summary.column_dimensions[col].width = width

    detail = book.create_sheet(_("答卷明细"))
    questions = [r.question for r in results.questions]
    put(detail, 1, 1, _("序号"), font=bold)
    put(detail, 1, 2, _("提交日期"), font=bold)
    for col, q in enumerate(questions, start=3):
        put(detail, 1, col, q.text, font=bold)
        detail.cell(row=1, column=col).alignment = Alignment(wrap_text=True, vertical="top")
        detail.column_dimensions[detail.cell(row=1, column=col).column_letter].width = 28
    rows = (QuestionnaireResponse.objects.filter(station_questionnaire=station_questionnaire)
            .order_by("created_at", "id").values_list("created_at", "answers"))
    for n, (created, answers) in enumerate(rows.iterator(chunk_size=2000), start=1):
        put(detail, n + 1, 1, n)
        put(detail, n + 1, 2, timezone.localtime(created).strftime("%Y-%m-%d"))
        for col, q in enumerate(questions, start=3):
            value = (answers or {}).get(str(q.pk))
            if value is None:
                continue
            if q.kind == QuestionKind.TEXT:
                text = str(value)
            else:
                picked = value if isinstance(value, list) else [value]
                text = "、".join(q.options[i] for i in picked if isinstance(i, int) and 0 <= i < len(q.options))
            put(detail, n + 1, col, text)
    detail.freeze_panes = "C2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- demo

DEMO_TITLE = "村务公开与惠民政策群众满意度调查"
DEMO_INTRO = ("为了解村务公开和惠民惠农政策落实情况，听取群众意见建议，特开展本次问卷调查。"
              "问卷匿名填写，请您根据实际情况如实作答。")
DEMO_QUESTIONS = [
    {"kind": QuestionKind.SINGLE, "text": "您对本村村务公开（财务、低保、补贴名单等）情况是否满意？",
     "options": ["满意", "基本满意", "不满意", "不了解"]},
    {"kind": QuestionKind.SINGLE, "text": "村务公开栏的内容多久更新一次？",
     "options": ["每月", "每季度", "半年以上", "从未见过更新", "不清楚"]},
    {"kind": QuestionKind.MULTIPLE, "text": "您家享受过哪些惠民惠农补贴？",
     "options": ["耕地地力保护补贴", "退耕还林补助", "低保或特困救助", "危房改造补助", "都没有"]},
    {"kind": QuestionKind.SINGLE, "text": "您领取的补贴是否足额、按时发放到您本人的“一卡通”？",
     "options": ["是", "否", "不清楚"]},
    {"kind": QuestionKind.SINGLE, "text": "您是否知道或听说有村干部代管群众的“一卡通”？",
     "options": ["没有", "有", "不清楚"]},
    {"kind": QuestionKind.MULTIPLE, "text": "您认为村里哪些方面最需要加强监督？",
     "options": ["集体资金资产资源管理", "低保评定", "工程项目发包", "土地流转和征地补偿", "干部作风"]},
    {"kind": QuestionKind.TEXT, "text": "您对村务管理和惠民政策落实还有哪些意见建议？", "options": [],
     "required": False},
]


def demo_questionnaire_publish() -> Questionnaire:
    """The demo questionnaire, published on every demo station that is stationed (safe to run twice)."""
    questionnaire = Questionnaire.objects.filter(title=DEMO_TITLE).first()
    if questionnaire is None:
        questionnaire = questionnaire_create(actor=None, title=DEMO_TITLE, intro=DEMO_INTRO,
                                             questions=[{"required": True, **q} for q in DEMO_QUESTIONS])
    for station in Station.objects.filter(state=StationState.STATIONED, questionnaire__isnull=True):
        station_questionnaire_publish(actor=None, station=station, questionnaire=questionnaire)
    return questionnaire
