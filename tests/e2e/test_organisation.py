"""Browser flows of the organisation: a person and a recusal declaration, Excel import, the audit log."""

from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from supervision.demo import DEMO_PASSWORD
from supervision.models import ConflictDeclaration, Person

from .conftest import login


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))


def test_person_and_recusal_declaration(demo, live_server, page, shot):
    login(page, live_server.url, "commission", DEMO_PASSWORD)
    page.click("nav.nav a:has-text('人员库')")
    page.click("a:has-text('新增人员')")
    page.fill("#id_name", "周新民")
    page.select_option("#id_category", label="村纪检委员")
    page.select_option("#id_home_unit", label="大箕铺镇/柯大兴村")
    page.fill("#id_phone", "13900000001")
    shot(page, "person-new")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新增人员：周新民")
    person = Person.objects.get(name="周新民")
    assert page.url.endswith(f"/people/{person.pk}/")

    page.select_option("#id_unit", label="大箕铺镇/程家湾村")
    page.select_option("#id_reason", label="近亲属在该单位任职")
    page.fill("#id_detail", "其兄在程家湾村任会计")
    page.click("button:has-text('登记')")
    page.wait_for_selector("text=已登记回避申报")
    assert page.locator("table.list tbody tr").count() == 1
    assert "程家湾村" in page.locator("table.list tbody tr").first.inner_text()
    shot(page, "person-detail-conflict")

    # Withdrawing asks first; dismissing keeps the declaration, accepting removes it.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('撤销')")
    assert ConflictDeclaration.objects.filter(person=person).count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('撤销')")
    page.wait_for_selector("text=已撤销回避申报")
    assert not ConflictDeclaration.objects.filter(person=person).exists()


def test_duplicate_person_is_refused_with_a_chinese_message(demo, live_server, page, shot):
    login(page, live_server.url, "commission", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/people/new/")
    page.fill("#id_name", "但建华")
    page.select_option("#id_category", label="纪检干部")
    page.select_option("#id_home_unit", label="大箕铺镇")
    page.click("button:has-text('保存')")
    assert "同一单位下已有同名人员" in page.locator(".errorlist").first.inner_text()
    assert page.input_value("#id_name") == "但建华"  # nothing the user typed is lost
    shot(page, "person-duplicate")


def _sheet(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "人员类别", "所在单位", "职务", "手机号码", "备注"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_import_reports_bad_rows_then_imports_the_fixed_sheet(demo, live_server, page, shot, tmp_path):
    login(page, live_server.url, "admin", DEMO_PASSWORD)
    page.click("nav.nav a:has-text('批量导入')")
    assert page.locator("a:has-text('下载人员模板')").is_visible()
    shot(page, "import-home")
    page.click("a:has-text('导入人员')")
    rows = [[f"导入人员{i}", "村纪检委员", "茗山乡/白羊村", "", "", ""] for i in range(30)]
    rows[4][0] = ""
    rows[9][2] = "不存在的村"
    before = Person.objects.count()
    page.set_input_files("#id_file", _sheet(tmp_path / "bad.xlsx", rows))
    page.click("button:has-text('检查并导入')")
    errors = page.locator("[data-testid=import-errors] tbody tr").all_inner_texts()
    assert [e.split("\t")[0] for e in errors] == ["第 6 行", "第 11 行"]
    assert "未导入任何数据" in page.locator("[data-testid=import-errors] h2").inner_text()
    assert Person.objects.count() == before
    shot(page, "import-errors")
    rows[4][0] = "导入人员4"
    rows[9][2] = "茗山乡/白羊村"
    page.set_input_files("#id_file", _sheet(tmp_path / "good.xlsx", rows))
    page.click("button:has-text('检查并导入')")
    page.wait_for_selector("text=导入成功：共 30 条")
    assert Person.objects.count() == before + 30


def test_audit_log_shows_what_happened(demo, live_server, page, shot):
    login(page, live_server.url, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/units/")
    page.click("a:has-text('新增单位')")
    page.fill("#id_name", "审计测试村")
    page.select_option("#id_kind", label="村")
    page.select_option("#id_parent", label="金牛镇")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已新增单位：审计测试村")
    shot(page, "unit-detail")
    page.click("nav.nav a:has-text('审计日志')")
    first_row = page.locator("table.list tbody tr").first.inner_text()
    assert "unit.create" in first_row and "审计测试村" in first_row
    shot(page, "audit-log")
