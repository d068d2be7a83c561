from django.urls import reverse
from tests.factories import PersonFactory, UnitFactory


def test_probe(client_for, org, users):
    c = client_for("liaison")
    dep = UnitFactory(name="财政局")
    PersonFactory(home_unit=dep)
    for url in [f"/api/people/?home_unit={dep.pk}", "/api/people/?home_unit=99999", f"/api/units/?parent={org['town'].pk}", "/api/units/?parent=99999", f"/api/units/{org['town'].pk}/", f"/api/units/{org['village'].pk}/", "/api/units/"]:
        r = c.get(url)
        print(url, r.status_code, r.content[:300])
    r = c.get(reverse("unit_list"))
    print(r.content.decode()[-2500:])
