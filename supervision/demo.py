"""Demo data: a county-level city's commission, the townships of the seed, departments, a dispatched group,
a cadre pool and one login per role. Loading it twice changes nothing."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Person, PersonCategory, Unit, UnitKind
from .roles import Role
from .services.accounts import account_create
from .services.organisation import person_create, unit_create

DEMO_PASSWORD = "Demo@2026!"  # 10 characters: the password rules ask for at least 10
COMMISSION = "大冶市纪委监委"

TOWNSHIPS = {
    # name: (kind, villages / communities)
    "茗山乡": (UnitKind.TOWNSHIP, ["茗山村", "白羊村", "梅山村", "上冯村", "下冯村", "东山村", "石塘村", "新华村"]),
    "金牛镇": (UnitKind.TOWNSHIP, ["金牛村", "新华村", "胡家湾村", "袁铺村", "小箕铺村", "东港村", "宝山村", "大屋村"]),
    "刘仁八镇": (UnitKind.TOWNSHIP, ["刘仁八村", "东岭村", "金柯村", "畈上村", "西山村", "南坪村"]),
    "大箕铺镇": (UnitKind.TOWNSHIP, [
        "水南湾村", "柯大兴村", "程家湾村", "大箕铺村", "五金村", "沈家营村", "金星村", "庙山村", "曙光村",
        "八流村", "新屋村", "童家湾村", "大田村", "枫林村", "松山村", "新华村", "吴家庄村", "石门村",
        "铁山村", "长岭村", "南山村", "宋家湾村", "黄岭村", "茶山村", "团山社区", "大箕铺社区",
    ]),
    "还地桥镇": (UnitKind.TOWNSHIP, ["还地桥村", "港湖村", "西畈村", "黄金村"]),
    "保安镇": (UnitKind.TOWNSHIP, ["保安村", "沼山村", "尹解元村", "湖山村"]),
    "东岳路街道": (UnitKind.STREET, ["东岳社区", "熊家洲社区", "新冶社区", "罗家桥社区"]),
}
DEPARTMENTS = ["市教育局", "市民政局", "市财政局", "市卫生健康局", "市人力资源和社会保障局", "市住房和城乡建设局",
               "市农业农村局", "市自然资源和规划局"]
GROUP = "第七纪检监察组"
GROUP_COVERS = DEPARTMENTS[:6]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程柯"
GIVEN = ["建国", "卫东", "海燕", "志强", "丽华", "国平", "晓明", "春梅", "德胜", "秀英", "光辉", "玉兰",
         "红军", "桂芳", "文斌", "小平", "金华", "新民", "爱华", "永红", "明亮", "淑珍", "立新", "翠萍"]

# Demo logins: username, role, person name, home unit (path), category, post; liaisons name their unit.
ACCOUNTS = [
    ("admin", [Role.ADMIN], "系统管理员", COMMISSION, PersonCategory.OTHER, "信息技术室"),
    ("commission", [Role.COMMISSION_STAFF], "吴开生", COMMISSION, PersonCategory.DISCIPLINE_CADRE, "党风政风监督室主任"),
    ("leader", [Role.TEAM_LEADER], "但建华", "大箕铺镇", PersonCategory.DISCIPLINE_CADRE, "镇纪委副书记"),
    ("member", [Role.TEAM_MEMBER], "柯国强", "大箕铺镇", PersonCategory.FINANCE, "财经所会计"),
    ("liaison1", [Role.UNIT_LIAISON], "白雪梅", "大箕铺镇/水南湾村", PersonCategory.UNIT_STAFF, "村委会文书"),
    ("liaison2", [Role.UNIT_LIAISON], "范先平", "金牛镇/袁铺村", PersonCategory.UNIT_STAFF, "村委会报账员"),
    ("caseoffice", [Role.CASE_OFFICE], "姚文婷", COMMISSION, PersonCategory.DISCIPLINE_CADRE, "案件监督管理室主任"),
    ("cleader", [Role.COMMISSION_LEADER], "许振华", COMMISSION, PersonCategory.DISCIPLINE_CADRE, "市纪委副书记"),
    ("norole", [], "未分配角色", COMMISSION, PersonCategory.OTHER, ""),
]


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + i // len(SURNAMES)) % len(GIVEN)]


class DemoLoader:
    def __init__(self):
        self.units: dict[str, Unit] = {}
        self.counter = 0

    def unit(self, name, kind, parent=None, **extra) -> Unit:
        existing = Unit.objects.filter(name=name, parent=parent).first()
        unit = existing or unit_create(actor=None, name=name, kind=kind, parent=parent, **extra)
        self.units[f"{parent.name}/{name}" if parent and kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY) else name] = unit
        return unit

    def person(self, name, category, unit, post="") -> Person:
        existing = Person.objects.filter(name=name, home_unit=unit).first()
        return existing or person_create(actor=None, name=name, category=category, home_unit=unit, post=post,
                                         phone=f"139{7100_0000 + self.counter:08d}")

    def next_name(self) -> str:
        self.counter += 1
        return _name(self.counter)

    def run(self) -> dict:
        commission = self.unit(COMMISSION, UnitKind.COMMISSION, phone="0714-8722222",
                               organ_name="中共大冶市纪律检查委员会\n大冶市监察委员会", doc_prefix="大纪")
        group = self.unit(GROUP, UnitKind.DISPATCHED_GROUP, commission,
                          organ_name="大冶市纪委监委第七纪检监察组", doc_prefix="大纪七组")
        self.unit("第三纪检监察组", UnitKind.DISPATCHED_GROUP, commission)
        for dept in DEPARTMENTS:
            unit = self.unit(dept, UnitKind.DEPARTMENT)
            if dept in GROUP_COVERS and unit.covered_by_id != group.pk:
                Unit.objects.filter(pk=unit.pk).update(covered_by=group)
        for township, (kind, villages) in TOWNSHIPS.items():
            town = self.unit(township, kind, organ_name=f"中共{township}纪律检查委员会",
                             doc_prefix=township[:2] + "纪")
            for village in villages:
                self.unit(village, UnitKind.COMMUNITY if village.endswith("社区") else UnitKind.VILLAGE, town)
        # The cadre pool: per township 2 discipline cadres, 1 finance, 1 civil affairs; 1 discipline member
        # per village; 2 discipline cadres in the group; 1 staff member per department.
        for township, (_kind, villages) in TOWNSHIPS.items():
            town = self.units[township]
            self.person(self.next_name(), PersonCategory.DISCIPLINE_CADRE, town, "纪委书记")
            self.person(self.next_name(), PersonCategory.DISCIPLINE_CADRE, town, "纪检干部")
            self.person(self.next_name(), PersonCategory.FINANCE, town, "财经所工作人员")
            self.person(self.next_name(), PersonCategory.CIVIL_AFFAIRS, town, "民政所工作人员")
            for village in villages:
                self.person(self.next_name(), PersonCategory.VILLAGE_MEMBER, self.units[f"{township}/{village}"],
                            "村纪检委员")
        # 大箕铺镇 runs the demo batch (26 villages in 7 rounds): it needs a deeper bench of its own.
        town = self.units["大箕铺镇"]
        for post in ("纪委委员", "纪检干部", "纪检干部"):
            self.person(self.next_name(), PersonCategory.DISCIPLINE_CADRE, town, post)
        for _i in range(3):
            self.person(self.next_name(), PersonCategory.FINANCE, town, "财经所工作人员")
            self.person(self.next_name(), PersonCategory.CIVIL_AFFAIRS, town, "民政所工作人员")
        self.person(self.next_name(), PersonCategory.DISCIPLINE_CADRE, group, "组长")
        self.person(self.next_name(), PersonCategory.DISCIPLINE_CADRE, group, "副组长")
        for dept in DEPARTMENTS:
            self.person(self.next_name(), PersonCategory.UNIT_STAFF, self.units[dept], "纪检员")
        accounts = self.accounts()
        from rounds.demo import load_rounds_demo

        load_rounds_demo(self.units)
        from findings.demo import load_results_demo

        load_results_demo(self.units)
        from rectification.demo import load_rectification_demo

        load_rectification_demo(DEMO_PASSWORD)
        from .tally import tallies_rebuild_all

        tallies_rebuild_all()  # the demo writes some rows in bulk: the overview's rollups are counted once at the end
        return {"units": Unit.objects.count(), "people": Person.objects.count(), "accounts": accounts}

    def accounts(self) -> list[tuple[str, str]]:
        User = get_user_model()
        made = []
        for username, roles, name, unit_path, category, post in ACCOUNTS:
            unit = self.units[unit_path]
            if not User.objects.filter(username=username).exists():
                person = self.person(name, category, unit, post)
                account_create(actor=None, username=username, password=DEMO_PASSWORD, roles=roles, person=person,
                               liaison_unit=unit if Role.UNIT_LIAISON in roles else None)
            made.append((username, ", ".join(roles) or "—"))
        return made


@transaction.atomic
def load_demo() -> dict:
    return DemoLoader().run()
