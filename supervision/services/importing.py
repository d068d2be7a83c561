"""Excel import of units and people: the whole sheet is checked first; one bad row and nothing is imported."""

import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..audit import audit_record
from ..models import UNIT_PARENT_KINDS, Person, PersonCategory, Unit, UnitKind

PEOPLE_COLUMNS = ["姓名", "人员类别", "所在单位", "职务", "手机号码", "备注"]
PEOPLE_REQUIRED = {"姓名", "人员类别", "所在单位"}
UNIT_COLUMNS = ["名称", "类型", "上级单位", "代码", "地址", "联系电话"]
UNIT_REQUIRED = {"名称", "类型"}
PHONE_RE = re.compile(r"^[0-9+\-() ]{7,20}$")
BATCH = 2000


@dataclass
class RowError:
    row: int
    reason: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, too big, wrong header)."""


def read_sheet(upload, columns: list[str], required: set[str]) -> list[tuple[int, dict]]:
    """Rows of the first sheet as (Excel row number, {header: text}); blank rows are skipped."""
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError(_("请上传 .xlsx 格式的 Excel 文件（可先下载模板）"))
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(_("文件过大：上限为 %(size)s") % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)})
    upload.seek(0)
    if upload.read(4) != b"PK\x03\x04":
        raise ImportFileError(_("文件内容不是有效的 Excel（.xlsx）文件"))
    upload.seek(0)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(_("文件内容不是有效的 Excel（.xlsx）文件")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell(v) for v in next(rows, ())]
        missing = [c for c in columns if c in required and c not in header]
        if missing:
            raise ImportFileError(
                _("表头缺少列：%(cols)s。请使用下载的模板") % {"cols": "、".join(missing)}
            )
        index = {c: header.index(c) for c in columns if c in header}
        out = []
        for number, values in enumerate(rows, start=2):
            record = {c: (_cell(values[i]) if i < len(values) else "") for c, i in index.items()}
            if any(record.values()):
                out.append((number, record))
        return out
    finally:
        workbook.close()


def choice_lookup(choices) -> dict[str, str]:
    """Label -> value for a coded column. A sheet is data: its labels are accepted in every interface
    language, so a template downloaded in English imports while Chinese is selected, and the other way round."""
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices.choices:
                lookup.setdefault(str(label), value)
    return lookup


def _allowed(choices) -> str:
    return "、".join(str(label) for _value, label in choices.choices)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class UnitResolver:
    """Finds a unit by name or by "上级/名称" path, and says why when it cannot."""

    def __init__(self, units):
        self.by_name: dict[str, list] = {}
        self.by_path: dict[str, list] = {}
        for unit in units:
            self.add(unit)

    def add(self, unit) -> None:
        self.by_name.setdefault(unit.name, []).append(unit)
        if unit.parent_name:
            self.by_path.setdefault(f"{unit.parent_name}/{unit.name}", []).append(unit)

    def find(self, text: str):
        text = text.replace("／", "/").strip()
        if "/" in text:
            found = self.by_path.get("/".join(p.strip() for p in text.split("/")[-2:]), [])
            if not found:
                return None, _("找不到单位“%(unit)s”") % {"unit": text}
            if len(found) > 1:
                return None, _("单位“%(unit)s”不唯一：有多个同名的上级单位，请联系管理员区分单位名称") % {"unit": text}
            return found[0], None
        candidates = self.by_name.get(text, [])
        if not candidates:
            return None, _("找不到单位“%(unit)s”") % {"unit": text}
        if len(candidates) > 1:
            return None, _("单位名称“%(unit)s”不唯一，请写成“上级单位/%(unit)s”") % {"unit": text}
        return candidates[0], None


@dataclass
class _UnitRef:
    id: int | None
    name: str
    parent_name: str
    kind: str
    row: int | None = None


def _existing_unit_refs() -> list[_UnitRef]:
    return [
        _UnitRef(id=pk, name=name, parent_name=parent_name or "", kind=kind)
        for pk, name, parent_name, kind in Unit.objects.values_list("pk", "name", "parent__name", "kind")
    ]


def people_import(*, actor, upload) -> ImportResult:
    rows = read_sheet(upload, PEOPLE_COLUMNS, PEOPLE_REQUIRED)
    result = ImportResult(rows=len(rows))
    categories = choice_lookup(PersonCategory)
    resolver = UnitResolver(_existing_unit_refs())
    existing = set(Person.objects.values_list("home_unit_id", "name"))
    seen: dict[tuple[int, str], int] = {}
    people = []
    for number, record in rows:
        name, category_text, unit_text = record["姓名"], record["人员类别"], record["所在单位"]
        phone = record.get("手机号码", "")
        problems = []
        if not name:
            problems.append(_("缺少姓名"))
        elif len(name) > 50:
            problems.append(_("姓名超过50个字"))
        category = categories.get(category_text)
        if not category_text:
            problems.append(_("缺少人员类别"))
        elif category is None:
            problems.append(_("人员类别“%(value)s”不正确，应为：%(allowed)s")
                            % {"value": category_text, "allowed": _allowed(PersonCategory)})
        unit = None
        if not unit_text:
            problems.append(_("缺少所在单位"))
        else:
            unit, problem = resolver.find(unit_text)
            if problem:
                problems.append(problem)
        if phone and not PHONE_RE.match(phone):
            problems.append(_("手机号码“%(value)s”格式不正确") % {"value": phone})
        if unit is not None and name:
            key = (unit.id, name)
            if key in existing:
                problems.append(_("人员已存在：%(unit)s的%(name)s") % {"unit": unit_text, "name": name})
            elif key in seen:
                problems.append(_("与第%(row)d行重复（同一单位下同名）") % {"row": seen[key]})
            else:
                seen[key] = number
        if problems:
            result.errors.append(RowError(number, "；".join(problems)))
            continue
        people.append(Person(name=name, category=category, home_unit_id=unit.id, post=record.get("职务", "")[:100],
                             phone=phone, note=record.get("备注", "")[:200]))
    if result.errors:
        return result
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=BATCH)
        result.created = len(people)
        audit_record(actor=actor, action="person.import", obj=None,
                     changes={"file": {"before": "", "after": getattr(upload, "name", "")},
                              "created": {"before": "", "after": str(result.created)}})
    return result


def units_import(*, actor, upload) -> ImportResult:
    rows = read_sheet(upload, UNIT_COLUMNS, UNIT_REQUIRED)
    result = ImportResult(rows=len(rows))
    kinds = choice_lookup(UnitKind)
    existing = _existing_unit_refs()
    resolver = UnitResolver(existing)
    codes = set(Unit.objects.exclude(code="").values_list("code", flat=True))
    taken = {(u.parent_name, u.name) for u in existing}
    parsed = []
    for number, record in rows:
        name, kind_text, code = record["名称"], record["类型"], record.get("代码", "")
        problems = []
        if not name:
            problems.append(_("缺少名称"))
        elif len(name) > 100:
            problems.append(_("名称超过100个字"))
        kind = kinds.get(kind_text)
        if kind is None:
            problems.append(_("单位类型“%(value)s”不正确，应为：%(allowed)s")
                            % {"value": kind_text, "allowed": _allowed(UnitKind)} if kind_text else _("缺少单位类型"))
        if code and code in codes:
            problems.append(_("代码“%(code)s”已被使用") % {"code": code})
        elif code:
            codes.add(code)
        if problems:
            result.errors.append(RowError(number, "；".join(problems)))
            continue
        parent_text = record.get("上级单位", "").replace("／", "/").strip()
        ref = _UnitRef(id=None, name=name, parent_name=parent_text.split("/")[-1].strip() if parent_text else "",
                       kind=kind, row=number)
        parsed.append((ref, parent_text, record))
    # Parents may be new units of the same sheet: add those first, then resolve every parent.
    first_row: dict[tuple[str, str], int] = {}
    for ref, _parent_text, _record in parsed:
        key = (ref.parent_name, ref.name)
        if key in first_row:
            result.errors.append(RowError(ref.row, _("与第%(row)d行重复（同一上级单位下同名）") % {"row": first_row[key]}))
        elif key in taken:
            result.errors.append(RowError(ref.row, _("单位已存在：%(name)s") % {"name": ref.name}))
        else:
            first_row[key] = ref.row
            resolver.add(ref)
    failed_rows = {e.row for e in result.errors}
    plan = []
    for ref, parent_text, record in parsed:
        if ref.row in failed_rows:
            continue
        parent = None
        if parent_text:
            parent, problem = resolver.find(parent_text)
            if problem:
                result.errors.append(RowError(ref.row, _("上级单位：") + problem))
                continue
        parent_kind = parent.kind if parent else None
        if parent_kind not in UNIT_PARENT_KINDS[ref.kind]:
            allowed = "、".join(str(k.label) for k in UnitKind if k in UNIT_PARENT_KINDS[ref.kind])
            message = _("%(kind)s的上级单位应为：%(allowed)s") if allowed else _("%(kind)s不能有上级单位")
            result.errors.append(RowError(ref.row, message % {"kind": UnitKind(ref.kind).label, "allowed": allowed}))
            continue
        plan.append((ref, parent, record))
    result.errors.sort(key=lambda e: e.row)
    if result.errors:
        return result
    with transaction.atomic():
        created = 0
        pending = plan
        while pending:  # level by level, so every parent has its id before its children are saved
            ready = [p for p in pending if p[1] is None or p[1].id is not None]
            if not ready:
                raise RuntimeError("cycle in unit import")
            units = [Unit(name=r.name, kind=r.kind, parent_id=parent.id if parent else None,
                          code=rec.get("代码", ""), address=rec.get("地址", "")[:200],
                          phone=rec.get("联系电话", "")[:40]) for r, parent, rec in ready]
            Unit.objects.bulk_create(units, batch_size=BATCH)
            for (ref, _parent, _rec), unit in zip(ready, units, strict=True):
                ref.id = unit.pk
            created += len(units)
            pending = [p for p in pending if p[0].id is None]
        result.created = created
        audit_record(actor=actor, action="unit.import", obj=None,
                     changes={"file": {"before": "", "after": getattr(upload, "name", "")},
                              "created": {"before": "", "after": str(created)}})
    return result


def import_template(kind: str) -> bytes:
    """A blank import sheet with the header, drop-downs for the coded columns, and an instructions sheet."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind == "people":
        columns, required = PEOPLE_COLUMNS, PEOPLE_REQUIRED
        coded = {"人员类别": [str(label) for _v, label in PersonCategory.choices]}
        notes = [
            _("每行一人；表头底色标红的列必填。"),
            _("人员类别从下拉列表中选择。"),
            _("所在单位填写系统中已有的单位名称；村名重复时写成“乡镇/村”，如“金牛镇/新华村”。"),
            _("同一单位下不能有同名人员；任何一行有误，整个文件都不会导入。"),
        ]
    elif kind == "units":
        columns, required = UNIT_COLUMNS, UNIT_REQUIRED
        coded = {"类型": [str(label) for _v, label in UnitKind.choices]}
        notes = [
            _("每行一个单位；表头底色标红的列必填。"),
            _("类型从下拉列表中选择；村、社区的上级单位必须是乡镇或街道。"),
            _("上级单位可以是系统中已有的单位，也可以是本表中前面或后面的行。"),
            _("任何一行有误，整个文件都不会导入。"),
        ]
    else:
        raise ValueError(kind)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("导入数据")
    sheet.append(columns)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDE9E7")
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = bold
        if column in required:
            cell.fill = fill
        sheet.column_dimensions[cell.column_letter].width = 22
        if column in coded:
            validation = DataValidation(type="list", formula1='"' + ",".join(coded[column]) + '"', allow_blank=False)
            validation.error = _("请从下拉列表中选择")
            sheet.add_data_validation(validation)
            validation.add(f"{cell.column_letter}2:{cell.column_letter}50000")
    help_sheet = workbook.create_sheet(_("填写说明"))
    help_sheet.column_dimensions["A"].width = 90
    help_sheet.append([_("必填列：") + "、".join(c for c in columns if c in required)])
    for note in notes:
        help_sheet.append([note])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
