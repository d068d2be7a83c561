"""The audit log page: only the administrator sees it; it shows who did what, before and after, and from where;
search, filter, paging and a query budget."""

import pytest
from django.db import connection
from django.urls import reverse

from supervision.audit import audit_record
from supervision.models import AuditEvent, UnitKind

ROLES = ["admin", "commission", "leader", "member", "liaison", "case_office", "outsider"]


def listed(response):
    return [event.action for event in response.context["page"].object_list]


@pytest.fixture
def events(users, org):
    """A clean trail: the fixtures' own account events removed (with SQL: the application refuses to delete
    events; the page does not verify the chain), then three known events."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")
    admin, commission = users["admin"], users["commission"]
    first = audit_record(actor=admin, action="unit.update", obj=org["town"],
                         changes={"name": {"before": "旧镇", "after": "金牛镇"}})
    second = audit_record(actor=commission, action="person.create", obj=admin.person,
                          changes={"name": {"before": "", "after": "u_admin姓名"}})
    third = audit_record(actor=None, action="unit.import", changes={"rows": {"before": "", "after": "12"}})
    return [first, second, third]


@pytest.mark.parametrize("role", ROLES)
def test_audit_list_access(client_for, role):
    assert client_for(role).get(reverse("audit_list")).status_code == (200 if role == "admin" else 404)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_search_does_not_open_the_page(client_for, role):
    assert client_for(role).get(reverse("audit_list"), {"q": "unit", "action": "unit.create"}).status_code == 404


def test_navigation_offers_audit_only_to_admin(client_for):
    assert reverse("audit_list") in client_for("admin").get(reverse("home")).content.decode()
    assert reverse("audit_list") not in client_for("commission").get(reverse("home")).content.decode()


def test_lists_events_newest_first(client_for, events):
    response = client_for("admin").get(reverse("audit_list"))
    assert listed(response) == ["unit.import", "person.create", "unit.update"]
    page = response.content.decode()
    assert "u_admin姓名" in page and "u_commission姓名" in page
    assert "<code>unit.update</code>" in page
    assert "<del>旧镇</del> → 金牛镇" in page
    assert "共 3 条" in page


def test_changes_and_names_are_escaped(client_for, users):
    audit_record(actor=users["admin"], action="unit.update", changes={"name": {"before": "", "after": "<script>x"}})
    page = client_for("admin").get(reverse("audit_list")).content.decode()
    assert "<script>x" not in page
    assert "&lt;script&gt;x" in page


def test_search_by_actor_object_and_action(client_for, events):
    client = client_for("admin")
    url = reverse("audit_list")
    assert listed(client.get(url, {"q": "u_commission"})) == ["person.create"]
    assert listed(client.get(url, {"q": "金牛镇"})) == ["unit.update"]
    assert listed(client.get(url, {"q": "unit."})) == ["unit.import", "unit.update"]
    assert listed(client.get(url, {"action": "unit.update"})) == ["unit.update"]
    assert listed(client.get(url, {"action": "unit"})) == []  # the action filter is exact
    empty = client.get(url, {"q": "无此记录"})
    assert empty.status_code == 200 and "没有审计事件。" in empty.content.decode()


def test_pagination(client_for, events, users):
    for n in range(57):
        audit_record(actor=users["admin"], action="person.update", changes={"post": {"before": "", "after": str(n)}})
    client = client_for("admin")
    first = client.get(reverse("audit_list"))
    assert len(first.context["page"].object_list) == 50
    assert "第 1 / 2 页，共 60 条" in first.content.decode()
    second = client.get(reverse("audit_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 10
    assert listed(second)[-3:] == ["unit.import", "person.create", "unit.update"]
    filtered = client.get(reverse("audit_list"), {"action": "person.update", "page": 2})
    assert len(filtered.context["page"].object_list) == 7
    assert "action=person.update&amp;page=1" in filtered.content.decode()  # paging keeps the filter


def test_query_budget(client_for, users, org, django_assert_max_num_queries):
    client = client_for("admin")
    url = reverse("audit_list")
    for batch in (5, 40):
        for n in range(batch):
            audit_record(actor=users["commission"], action="unit.update", obj=org["village"],
                         changes={"name": {"before": f"旧{n}", "after": f"新{n}"}})
        client.get(url)  # warm the process-wide caches (content types), as in a running server
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50


def test_page_write_appears_with_actor_and_ip(client_for, users, org):
    client = client_for("admin")
    response = client.post(reverse("unit_new"), {"name": "白鹤村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk,
                                                 "is_active": "on"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="unit.create").get()
    assert (event.actor, event.ip, event.object_repr) == (users["admin"], "127.0.0.1", "白鹤村")
    page = client.get(reverse("audit_list"), {"action": "unit.create"})
    assert listed(page) == ["unit.create"]
    html = page.content.decode()
    assert "白鹤村" in html and "127.0.0.1" in html and "u_admin姓名" in html


def test_ip_behind_the_proxy_is_the_hop_it_appended(client_for, org, settings):
    # The reverse proxy appends the address it saw; anything before that came from the client and is not trusted.
    settings.TRUST_X_FORWARDED_FOR = True
    client = client_for("admin")
    client.post(reverse("unit_new"), {"name": "代理村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk},
                HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert AuditEvent.objects.get(action="unit.create").ip == "203.0.113.7"


def test_forwarded_for_is_ignored_without_a_trusted_proxy(client_for, org):
    client = client_for("admin")
    client.post(reverse("unit_new"), {"name": "直连村", "kind": UnitKind.VILLAGE, "parent": org["town"].pk},
                HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AuditEvent.objects.get(action="unit.create").ip == "127.0.0.1"


def test_event_without_actor_shows_dash(client_for, events):
    response = client_for("admin").get(reverse("audit_list"), {"action": "unit.import"})
    row = response.content.decode().split("<code>unit.import</code>")[0].rsplit("<tr>", 1)[1]
    assert "—" in row  # no actor name


def test_a_change_named_items_is_shown_like_any_other(client_for):
    """A letter's or a recommendation's "items" change must not be taken for the dict's items() by the template."""
    from supervision.models import AuditEvent

    AuditEvent.objects.create(action="letter.draft", object_type="rectification.handoffletter", object_id="1",
                              object_repr="交办函", changes={"items": {"before": "", "after": "5"},
                                                           "state": {"before": "待签发", "after": "已签发"}})
    response = client_for("admin").get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "items：</span>5" in body and "<del>待签发</del> → 已签发" in body
