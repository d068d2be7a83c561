"""Excel import of people and units, through the pages: every bad row is reported with its Excel row number and
nothing is imported; a clean sheet imports in one go; file-level problems are explained on the form."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from supervision.models import AuditEvent, Person, PersonCategory, Unit, UnitKind
from tests.factories import PersonFactory, TownshipFactory, UnitFactory, VillageFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE_HEADER = ["姓名", "人员类别", "所在单位", "职务", "手机号码", "备注"]
UNITS_HEADER = ["名称", "类型", "上级单位", "代码", "地址", "联系电话"]
CATEGORY_LABELS = ["纪检干部", "财经所人员", "民政所人员", "村纪检委员", "单位工作人员", "其他"]
BAD_CATEGORY_REASON = "人员类别“纪检干事”不正确，应为：" + "、".join(CATEGORY_LABELS)

PEOPLE_URL = reverse("import_upload", args=["people"])
UNITS_URL = reverse("import_upload", args=["units"])


def workbook_bytes(rows, header=PEOPLE_HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows, header=PEOPLE_HEADER, name="people.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows, header), content_type=XLSX)


def people_rows(count, units, prefix="导入人员"):
    """`count` valid rows spread over the given unit names and every category."""
    return [
        [f"{prefix}{i}", CATEGORY_LABELS[i % len(CATEGORY_LABELS)], units[i % len(units)],
         "联络员" if i % 2 else "", f"139{i:08d}", f"备注{i}" if i % 3 == 0 else ""]
        for i in range(count)
    ]


def post(client, url, file):
    return client.post(url, {"file": file})


def row_errors(response):
    result = response.context["result"]
    assert result is not None
    return [(e.row, e.reason) for e in result.errors]


def file_errors(response):
    return response.context["form"].errors.get("file", [])


@pytest.fixture
def staff(client_for):
    return client_for("commission")


@pytest.fixture
def admin(client_for):
    return client_for("admin")


# --- 1. a 200-row sheet with 3 bad rows; then the fixed sheet -------------------------------------------------


@pytest.mark.parametrize("role", ["commission", "admin"])
def test_bad_rows_are_all_reported_and_nothing_is_imported_then_fixed_sheet_imports(client_for, users, org, role):
    client = client_for(role)
    units = ["金牛镇", "袁铺村", "新华村"]
    rows = people_rows(200, units)
    fixed = [list(r) for r in rows]
    rows[10][0] = ""  # Excel row 12: no name
    rows[100][2] = "火星村"  # Excel row 102: unknown unit
    rows[199][1] = "纪检干事"  # Excel row 201: wrong category
    before = Person.objects.count()

    response = post(client, PEOPLE_URL, upload(rows))

    assert response.status_code == 400
    assert row_errors(response) == [
        (12, "缺少姓名"),
        (102, "找不到单位“火星村”"),
        (201, BAD_CATEGORY_REASON),
    ]
    assert response.context["result"].rows == 200
    html = response.content.decode()
    assert "发现 3 行有误（共 200 行），未导入任何数据" in html
    for text in ["第 12 行", "第 102 行", "第 201 行", "缺少姓名", "找不到单位“火星村”", BAD_CATEGORY_REASON]:
        assert text in html
    assert "第 2 行" not in html
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(action="person.import").exists()

    response = post(client, PEOPLE_URL, upload(fixed))

    assert response.status_code == 302
    assert response["Location"] == reverse("person_list")
    assert Person.objects.count() == before + 200
    events = AuditEvent.objects.filter(action="person.import")
    assert events.count() == 1
    event = events.get()
    assert event.actor == users[role]
    assert event.changes["created"]["after"] == "200"
    assert event.changes["file"]["after"] == "people.xlsx"
    # The rows landed with their columns in the right fields.
    first = Person.objects.get(name="导入人员0")
    assert (first.category, first.home_unit, first.post, first.phone, first.note) == (
        PersonCategory.DISCIPLINE_CADRE, org["town"], "", "13900000000", "备注0")
    seventh = Person.objects.get(name="导入人员7")
    assert (seventh.category, seventh.home_unit, seventh.post) == (PersonCategory.FINANCE, org["village"], "联络员")
    assert Person.objects.filter(name__startswith="导入人员", home_unit=org["other_village"]).count() == 66
    # The success message is shown on the page the user is sent to.
    follow = client.get(response["Location"])
    assert "导入成功：共 200 条" in follow.content.decode()


def test_duplicate_in_file_is_one_of_the_three_bad_rows(staff, org):
    rows = people_rows(200, ["金牛镇", "袁铺村"])
    rows[5][0] = ""  # row 7
    rows[60][2] = "不存在的局"  # row 62
    rows[150][:3] = [rows[30][0], "其他", rows[30][2]]  # row 152 repeats row 32 (same unit, same name)
    before = Person.objects.count()

    response = post(staff, PEOPLE_URL, upload(rows))

    assert response.status_code == 400
    assert row_errors(response) == [
        (7, "缺少姓名"),
        (62, "找不到单位“不存在的局”"),
        (152, "与第32行重复（同一单位下同名）"),
    ]
    assert Person.objects.count() == before


def test_row_numbers_are_excel_row_numbers_even_after_blank_rows(staff, org):
    rows = [
        ["甲", "纪检干部", "金牛镇", "", "", ""],
        [None] * 6,  # Excel row 3, blank: skipped
        ["   ", "", "", "", "", ""],  # Excel row 4, only spaces: skipped
        ["乙", "", "金牛镇", "", "", ""],  # Excel row 5
    ]
    response = post(staff, PEOPLE_URL, upload(rows))
    assert response.status_code == 400
    assert row_errors(response) == [(5, "缺少人员类别")]
    assert response.context["result"].rows == 2


def test_several_problems_of_one_row_are_reported_together(staff, org):
    rows = [["", "领导", "", "", "12ab", ""], ["丙" * 51, "其他", "金牛镇", "", "", ""]]
    before = Person.objects.count()
    response = post(staff, PEOPLE_URL, upload(rows))
    assert response.status_code == 400
    errors = dict(row_errors(response))
    assert set(errors) == {2, 3}
    for part in ["缺少姓名", "人员类别“领导”不正确", "缺少所在单位", "手机号码“12ab”格式不正确"]:
        assert part in errors[2]
    assert errors[3] == "姓名超过50个字"
    assert Person.objects.count() == before


def test_only_the_first_500_errors_are_listed(staff, org):
    rows = [[f"某人{i}", "无此类别", "金牛镇", "", "", ""] for i in range(600)]
    response = post(staff, PEOPLE_URL, upload(rows))
    assert response.status_code == 400
    assert len(row_errors(response)) == 600
    html = response.content.decode()
    assert "发现 600 行有误（共 600 行）" in html
    assert "只显示前 500 行错误。" in html
    assert "第 501 行" in html and "第 502 行" not in html


# --- 2. duplicates and ambiguous village names ---------------------------------------------------------------


def test_duplicates_within_the_file_and_against_existing_people(staff, org):
    PersonFactory(name="张三", home_unit=org["village"])
    rows = [
        ["李四", "纪检干部", "袁铺村", "", "", ""],  # 2
        ["张三", "纪检干部", "袁铺村", "", "", ""],  # 3: already in the system
        ["张三", "纪检干部", "新华村", "", "", ""],  # 4: same name, another unit: fine
        ["李四", "其他", "金牛镇/袁铺村", "", "", ""],  # 5: same unit as row 2, written as a path
        ["王五", "其他", "金牛镇", "", "", ""],  # 6
        ["王五", "其他", "金牛镇", "", "", ""],  # 7
    ]
    before = Person.objects.count()

    response = post(staff, PEOPLE_URL, upload(rows))

    assert response.status_code == 400
    assert row_errors(response) == [
        (3, "人员已存在：袁铺村的张三"),
        (5, "与第2行重复（同一单位下同名）"),
        (7, "与第6行重复（同一单位下同名）"),
    ]
    assert Person.objects.count() == before


def test_ambiguous_village_must_be_written_with_its_township(staff, org):
    other_town = TownshipFactory(name="银河镇")
    other_xinhua = VillageFactory(name="新华村", parent=other_town)
    before = Person.objects.count()

    response = post(staff, PEOPLE_URL, upload([["赵六", "村纪检委员", "新华村", "", "", ""]]))

    assert response.status_code == 400
    assert row_errors(response) == [(2, "单位名称“新华村”不唯一，请写成“上级单位/新华村”")]
    assert "请写成“上级单位/新华村”" in response.content.decode()
    assert Person.objects.count() == before

    response = post(staff, PEOPLE_URL, upload([
        ["赵六", "村纪检委员", "金牛镇/新华村", "", "", ""],
        ["钱七", "村纪检委员", "银河镇／新华村", "", "", ""],  # full-width slash, as typed with a Chinese IME
        ["孙八", "村纪检委员", " 银河镇 / 新华村 ", "", "", ""],
        ["周九", "其他", "袁铺村", "", "", ""],  # unique name: no path needed
    ]))

    assert response.status_code == 302
    assert Person.objects.count() == before + 4
    assert Person.objects.get(name="赵六").home_unit == org["other_village"]
    assert Person.objects.get(name="钱七").home_unit == other_xinhua
    assert Person.objects.get(name="孙八").home_unit == other_xinhua
    assert Person.objects.get(name="周九").home_unit == org["village"]


def test_a_path_to_a_unit_that_does_not_exist_is_refused(staff, org):
    TownshipFactory(name="银河镇")
    response = post(staff, PEOPLE_URL, upload([["赵六", "其他", "银河镇/袁铺村", "", "", ""]]))
    assert response.status_code == 400
    assert row_errors(response) == [(2, "找不到单位“银河镇/袁铺村”")]


# --- 3. file-level checks -----------------------------------------------------------------------------------


def assert_refused_on_form(response, message):
    assert response.status_code == 400
    assert response.context["result"] is None
    assert file_errors(response) == [message]
    assert message in response.content.decode()


@pytest.mark.parametrize("name", ["people.xls", "people.csv", "people.xlsx.txt", "people"])
def test_a_file_not_named_xlsx_is_refused(staff, org, name):
    before = Person.objects.count()
    file = SimpleUploadedFile(name, workbook_bytes(people_rows(3, ["金牛镇"])), content_type=XLSX)
    response = post(staff, PEOPLE_URL, file)
    assert_refused_on_form(response, "请上传 .xlsx 格式的 Excel 文件（可先下载模板）")
    assert Person.objects.count() == before


def test_upper_case_extension_is_accepted(staff, org):
    before = Person.objects.count()
    response = post(staff, PEOPLE_URL, upload(people_rows(3, ["金牛镇"]), name="人员名单.XLSX"))
    assert response.status_code == 302
    assert Person.objects.count() == before + 3


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是 Excel")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        "姓名,人员类别,所在单位\n张三,纪检干部,金牛镇\n".encode(),  # a CSV renamed to .xlsx
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # an old .xls (OLE2) renamed to .xlsx
        b"",  # empty
        b"PK\x03\x04" + b"\x00" * 100,  # zip signature, broken archive
        _zip_bytes(),  # a valid zip that is not a workbook
    ],
    ids=["csv", "xls", "empty", "broken-zip", "other-zip"],
)
def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(staff, org, content):
    before = Person.objects.count()
    file = SimpleUploadedFile("people.xlsx", content, content_type=XLSX)
    response = post(staff, PEOPLE_URL, file)
    if content == b"":
        # Django's FileField refuses an empty upload before the service sees it.
        assert response.status_code == 400
        assert file_errors(response) == ["提交的是空文件。"]
    else:
        assert_refused_on_form(response, "文件内容不是有效的 Excel（.xlsx）文件")
    assert Person.objects.count() == before
    assert not AuditEvent.objects.filter(action="person.import").exists()


def test_a_too_big_file_is_refused(staff, org, settings):
    content = workbook_bytes(people_rows(50, ["金牛镇"]))
    settings.IMPORT_MAX_BYTES = len(content) - 1
    before = Person.objects.count()

    response = post(staff, PEOPLE_URL, SimpleUploadedFile("people.xlsx", content, content_type=XLSX))

    assert response.status_code == 400
    assert response.context["result"] is None
    [message] = file_errors(response)
    # The limit is stated as it is, not rounded down to "0 MB".
    assert re.fullmatch(r"文件过大：上限为 \d+(\.\d)?\sKB", message), message
    assert Person.objects.count() == before

    settings.IMPORT_MAX_BYTES = len(content)  # exactly at the limit is allowed
    response = post(staff, PEOPLE_URL, SimpleUploadedFile("people.xlsx", content, content_type=XLSX))
    assert response.status_code == 302
    assert Person.objects.count() == before + 50


def test_too_big_message_states_the_limit(staff, org, settings):
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    before = Person.objects.count()
    content = b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024)
    response = post(staff, PEOPLE_URL, SimpleUploadedFile("people.xlsx", content, content_type=XLSX))
    assert [m.replace("\xa0", " ") for m in file_errors(response)] == ["文件过大：上限为 2.0 MB"]
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["名字", "类别", "单位"], "姓名、人员类别、所在单位"),
        (["姓名", "人员类别", "单位名称", "职务"], "所在单位"),
        (UNITS_HEADER, "姓名、人员类别、所在单位"),  # the units sheet uploaded as people
        (None, "姓名、人员类别、所在单位"),  # an empty workbook
    ],
)
def test_a_sheet_with_the_wrong_header_is_refused(staff, org, header, missing):
    before = Person.objects.count()
    rows = [["张三", "纪检干部", "金牛镇"]] if header is not None else []
    response = post(staff, PEOPLE_URL, upload(rows, header=header))
    assert_refused_on_form(response, f"表头缺少列：{missing}。请使用下载的模板")
    assert Person.objects.count() == before


def test_header_columns_may_be_reordered_and_optional_ones_left_out(staff, org):
    rows = [["金牛镇", "张三", "纪检干部"]]
    response = post(staff, PEOPLE_URL, upload(rows, header=["所在单位", " 姓名 ", "人员类别"]))
    assert response.status_code == 302
    person = Person.objects.get(name="张三")
    assert (person.home_unit, person.category, person.phone) == (org["town"], PersonCategory.DISCIPLINE_CADRE, "")


def test_a_post_without_a_file_is_refused(staff, org):
    before = Person.objects.count()
    response = staff.post(PEOPLE_URL, {})
    assert response.status_code == 400
    assert file_errors(response) == ["该字段是必填项。"]
    assert Person.objects.count() == before


# --- 4. the units import ------------------------------------------------------------------------------------


def test_units_import_resolves_parents_defined_later_in_the_file(admin, users, org):
    rows = [
        ["东风村", "村", "红星街道", "V-1", "东风路1号", "0831-1234567"],
        ["红星社区", "社区", "红星街道", "", "", ""],
        ["红星街道", "街道", "市纪委监委", "S-1", "", ""],
        ["第一派驻组", "派驻纪检监察组", "市纪委监委", "", "", ""],
        ["市纪委监委", "纪委监委", "", "C-1", "", ""],
        ["新华村", "村", "红星街道", "", "", ""],  # same name as the village under 金牛镇: another parent, fine
        ["白马村", "村", "金牛镇", "", "", ""],  # an existing parent
        ["市财政局", "市直部门", "", "", "", ""],
    ]
    before = Unit.objects.count()

    response = post(admin, UNITS_URL, upload(rows, header=UNITS_HEADER, name="units.xlsx"))

    assert response.status_code == 302
    assert response["Location"] == reverse("unit_list")
    assert Unit.objects.count() == before + 8
    commission = Unit.objects.get(name="市纪委监委")
    street = Unit.objects.get(name="红星街道")
    assert (commission.kind, commission.parent, commission.code) == (UnitKind.COMMISSION, None, "C-1")
    assert (street.kind, street.parent) == (UnitKind.STREET, commission)
    village = Unit.objects.get(name="东风村")
    assert (village.kind, village.parent, village.code, village.address, village.phone) == (
        UnitKind.VILLAGE, street, "V-1", "东风路1号", "0831-1234567")
    assert Unit.objects.get(name="红星社区").parent == street
    assert Unit.objects.get(name="第一派驻组").parent == commission
    assert Unit.objects.get(name="新华村", parent=street).kind == UnitKind.VILLAGE
    assert Unit.objects.get(name="白马村").parent == org["town"]
    assert Unit.objects.get(name="市财政局").parent is None
    event = AuditEvent.objects.get(action="unit.import")
    assert event.actor == users["admin"]
    assert event.changes["created"]["after"] == "8"


def test_units_import_refuses_a_village_under_a_department_and_imports_nothing(admin, org):
    rows = [
        ["市纪委监委", "纪委监委", "", "", "", ""],  # 2: fine
        ["市农业局", "市直部门", "市纪委监委", "", "", ""],  # 3: fine
        ["农场村", "村", "市农业局", "", "", ""],  # 4: a village under a department
        ["河口村", "村", "", "", "", ""],  # 5: a village without a parent
        ["第二派驻组", "派驻纪检监察组", "金牛镇", "", "", ""],  # 6: a group under a township
        ["青山村", "村", "不存在的镇", "", "", ""],  # 7: unknown parent
        ["金牛镇", "乡镇", "", "", "", ""],  # 8: exists already
        ["某单位", "公司", "", "", "", ""],  # 9: unknown kind
        ["", "村", "金牛镇", "", "", ""],  # 10: no name
        ["柳树村", "村", "金牛镇", "X-1", "", ""],  # 11: fine
        ["杨树村", "村", "金牛镇", "X-1", "", ""],  # 12: code used by row 11
        ["省纪委监委", "纪委监委", "金牛镇", "", "", ""],  # 13: a commission is a root
    ]
    before = Unit.objects.count()

    response = post(admin, UNITS_URL, upload(rows, header=UNITS_HEADER, name="units.xlsx"))

    assert response.status_code == 400
    assert row_errors(response) == [
        (4, "村的上级单位应为：乡镇、街道"),
        (5, "村的上级单位应为：乡镇、街道"),
        (6, "派驻纪检监察组的上级单位应为：纪委监委"),
        (7, "上级单位：找不到单位“不存在的镇”"),
        (8, "单位已存在：金牛镇"),
        (9, "单位类型“公司”不正确，应为：纪委监委、派驻纪检监察组、乡镇、街道、市直部门、村、社区"),
        (10, "缺少名称"),
        (12, "代码“X-1”已被使用"),
        (13, "纪委监委不能有上级单位"),
    ]
    assert Unit.objects.count() == before
    assert not AuditEvent.objects.filter(action="unit.import").exists()


def test_units_import_refuses_a_code_already_in_the_system_and_duplicates_in_the_file(admin, org):
    UnitFactory(name="市审计局", code="D-9")
    rows = [
        ["市教育局", "市直部门", "", "D-9", "", ""],
        ["东山村", "村", "金牛镇", "", "", ""],
        ["东山村", "村", "金牛镇", "", "", ""],
    ]
    before = Unit.objects.count()
    response = post(admin, UNITS_URL, upload(rows, header=UNITS_HEADER, name="units.xlsx"))
    assert response.status_code == 400
    assert row_errors(response) == [(2, "代码“D-9”已被使用"), (4, "与第3行重复（同一上级单位下同名）")]
    assert Unit.objects.count() == before


def test_units_import_header_is_checked(admin, org):
    response = post(admin, UNITS_URL, upload([["张三", "纪检干部", "金牛镇"]], name="units.xlsx"))
    assert_refused_on_form(response, "表头缺少列：名称、类型。请使用下载的模板")


def test_imported_units_can_take_people_in_the_same_session(admin, org):
    rows = [["红星街道", "街道", "", "", "", ""], ["新华村", "村", "红星街道", "", "", ""]]
    assert post(admin, UNITS_URL, upload(rows, header=UNITS_HEADER, name="units.xlsx")).status_code == 302
    response = post(admin, PEOPLE_URL, upload([["吴十", "其他", "红星街道/新华村", "", "", ""]]))
    assert response.status_code == 302
    assert Person.objects.get(name="吴十").home_unit == Unit.objects.get(name="新华村", parent__name="红星街道")


# --- 5. templates and permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "kind", "header"),
    [
        ("commission", "people", PEOPLE_HEADER),
        ("admin", "people", PEOPLE_HEADER),
        ("admin", "units", UNITS_HEADER),
    ],
)
def test_template_download_has_the_expected_header(client_for, role, kind, header):
    response = client_for(role).get(reverse("import_template", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == header
    assert sheet.max_row == 1  # no sample rows to delete before filling it in
    assert len(workbook.worksheets) == 2  # the data sheet and the instructions


def test_the_downloaded_template_filled_in_imports(staff, org):
    template = staff.get(reverse("import_template", args=["people"])).content
    workbook = load_workbook(io.BytesIO(template))
    workbook.worksheets[0].append(["郑十一", "纪检干部", "金牛镇/袁铺村", "", "13800001111", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post(staff, PEOPLE_URL, SimpleUploadedFile("filled.xlsx", buffer.getvalue(), content_type=XLSX))
    assert response.status_code == 302
    assert Person.objects.get(name="郑十一").home_unit == org["village"]


FORBIDDEN = [
    ("member", "people"), ("liaison", "people"), ("outsider", "people"), ("leader", "people"),
    ("case_office", "people"),
    ("member", "units"), ("liaison", "units"), ("outsider", "units"), ("leader", "units"),
    ("case_office", "units"), ("commission", "units"),
]


@pytest.mark.parametrize(("role", "kind"), FORBIDDEN)
def test_roles_without_permission_get_404(client_for, org, role, kind):
    client = client_for(role)
    assert client.get(reverse("import_template", args=[kind])).status_code == 404
    assert client.get(reverse("import_upload", args=[kind])).status_code == 404
    people_before, units_before = Person.objects.count(), Unit.objects.count()
    if kind == "people":
        file = upload([["冯十二", "其他", "金牛镇", "", "", ""]])
    else:
        file = upload([["青石镇", "乡镇", "", "", "", ""]], header=UNITS_HEADER, name="units.xlsx")
    assert post(client, reverse("import_upload", args=[kind]), file).status_code == 404
    assert (Person.objects.count(), Unit.objects.count()) == (people_before, units_before)
    assert not AuditEvent.objects.filter(action__endswith=".import").exists()


@pytest.mark.parametrize(("role", "kind"), [("commission", "people"), ("admin", "people"), ("admin", "units")])
def test_upload_page_is_shown_to_allowed_roles(client_for, role, kind):
    response = client_for(role).get(reverse("import_upload", args=[kind]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("import_template", args=[kind]) in html
    assert 'type="file"' in html


def test_unknown_kind_is_404(admin):
    assert admin.get(reverse("import_upload", args=["rounds"])).status_code == 404
    assert admin.get(reverse("import_template", args=["rounds"])).status_code == 404


# --- 6. a big sheet ---------------------------------------------------------------------------------------------


def test_twenty_thousand_people_import(staff, org):
    towns = [TownshipFactory(name=f"大镇{i}") for i in range(5)]
    units = ["金牛镇", "袁铺村", "新华村"] + [t.name for t in towns]
    before = Person.objects.count()

    response = post(staff, PEOPLE_URL, upload(people_rows(20_000, units)))

    assert response.status_code == 302
    assert Person.objects.count() == before + 20_000
    assert Person.objects.filter(home_unit=towns[0]).count() == 2500
    last = Person.objects.get(name="导入人员19999")
    assert (last.home_unit.name, last.category, last.phone) == ("大镇4", PersonCategory.FINANCE, "13900019999")
    assert AuditEvent.objects.get(action="person.import").changes["created"]["after"] == "20000"


def test_labels_are_accepted_in_either_interface_language(staff, org):
    from django.utils import translation

    from supervision.services.importing import choice_lookup

    with translation.override("zh-hans"):
        lookup = choice_lookup(PersonCategory)
    assert lookup["村纪检委员"] == PersonCategory.VILLAGE_MEMBER
    assert lookup["Village discipline member"] == PersonCategory.VILLAGE_MEMBER
    rows = [["张三", "Village discipline member", "金牛镇", "", "", ""]]
    response = post(staff, PEOPLE_URL, upload(rows))
    assert response.status_code == 302
    assert Person.objects.get(name="张三").category == PersonCategory.VILLAGE_MEMBER
