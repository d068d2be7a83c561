"""The seed's team formulas as data. The migration 0002 loads them into a new database; `formulas_ensure`
puts back any that are missing (a flushed test database, a demo loaded into an emptied one)."""

FORMULAS = [
    {
        "code": "1-2-n",
        "name": "1+2+N",
        "description": "1名乡镇（街道）纪检干部带队，2名财经、民政业务骨干，N名村纪检委员，交叉驻点",
        "slots": [
            {"order": 1, "label": "组长", "categories": ["discipline_cadre"], "count": 1, "is_leader": True},
            {"order": 2, "label": "业务骨干", "categories": ["finance", "civil_affairs"], "count": 2},
            {"order": 3, "label": "村纪检委员", "categories": ["village_member"], "count": 1, "is_minimum": True,
             "planned_count": 2},
        ],
    },
    {
        "code": "2-5",
        "name": "2+5",
        "description": "派驻纪检监察组2名纪检监察干部，对口监督单位各派1人（不查本单位）",
        "slots": [
            {"order": 1, "label": "组长", "categories": ["discipline_cadre"], "count": 1, "is_leader": True},
            {"order": 2, "label": "纪检监察干部", "categories": ["discipline_cadre"], "count": 1},
            {"order": 3, "label": "对口单位人员", "categories": ["unit_staff"], "count": 5, "one_per_unit": True},
        ],
    },
]


def formulas_ensure(TeamFormula=None, FormulaSlot=None) -> None:
    if TeamFormula is None:
        from .models import FormulaSlot, TeamFormula
    for data in FORMULAS:
        formula, created = TeamFormula.objects.get_or_create(
            code=data["code"], defaults={"name": data["name"], "description": data["description"]})
        if created:
            for slot in data["slots"]:
                FormulaSlot.objects.create(formula=formula, **slot)
