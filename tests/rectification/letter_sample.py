"""The 20-problem hand-off letter (交办函) that the layout test (tests/rectification/test_handoff_pdf.py) and the
benchmark (bench/letter_pdf.py) both render. Plain data: no pytest, no factories, no database."""

from datetime import date

from supervision.documents import letterhead
from supervision.models import Unit, UnitKind


def sample_organ() -> Unit:
    return Unit(name=ORGAN_NAME, kind=UnitKind.TOWNSHIP, doc_prefix="大箕纪")


# (问题, 整改要求, 责任人): what a round at a village typically finds.
PROBLEMS = [
    ("6份鱼塘、山林承包合同未经村民代表会议表决，2份承包期超过法定期限。",
     "清理集体经济合同，补正民主程序，建立合同台账。", "张建国"),
    ("2025年二、三季度财务收支未张榜公布。",
     "按季度公开财务收支情况。", "李春梅"),
    ("3户家庭经济状况明显好转仍享受低保。",
     "逐户复核，按程序退出。", "王志强"),
    ("大额支出未经“两委”联席会议集体研究。",
     "落实“四议两公开”制度。", "张建国"),
    ("报账存在白条入账等问题，涉及3.2万元。",
     "逐笔核查，杜绝白条入账。", "刘小红"),
    ("农田沟渠硬化长度与设计图纸不符。",
     "核减工程款，责令施工方整改。", "陈永福"),
    ("2户村民的耕地地力保护补贴被他人代领。",
     "排查代领冒领，足额发放到户。", "李春梅"),
    ("群众反映道路破损问题长期未获回应。",
     "建立诉求台账，公开修缮进度。", "王志强"),
    ("1名发展对象政审材料不全，考察记录缺失。",
     "自查发展党员档案，补齐材料。", "张建国"),
    ("党小组会记录缺失4次，组织生活会流于形式。",
     "严格落实“三会一课”制度。", "张建国"),
    ("1名村委委员在施工单位兼职取酬。",
     "清理兼职取酬，清退违规所得。", "赵德明"),
    ("闲置仓库未登记入账，租金由个人收取。",
     "清产核资，租金纳入集体账户。", "刘小红"),
    ("1户非危房户领取危房改造补助1.5万元。",
     "追回违规领取的补助资金。", "陈永福"),
    ("防汛物资无出入库登记，部分去向不明。",
     "建立登记制度，查明物资去向。", "王志强"),
    ("保洁员工资发放名单与在岗人员不一致。",
     "核实在岗情况，追回多发工资。", "李春梅"),
    ("村务监督委员会未对财务开展监督。",
     "健全制度，全程监督如实记录。", "孙桂兰"),
    ("2户村民未经批准扩建房屋，未及时制止。",
     "配合依法处置，建立巡查制度。", "陈永福"),
    ("光伏收益分配方案未经村民代表会议通过。",
     "重新表决，建立收益分配台账。", "刘小红"),
    ("值班制度执行不严，群众办事找不到人。",
     "落实坐班值班，公开值班电话。", "张建国"),
    ("上轮巡察反馈的坐收坐支问题整改不彻底，仍有2笔租金未入账。",
     "开展整改“回头看”，彻底纠正坐收坐支。", "赵德明"),
]

ORGAN_NAME = "大箕铺镇"
NUMBER = "大箕纪交〔2026〕12号"
TITLE = "关于水南湾村巡回驻点监督发现问题的交办函"
ADDRESSEE = "中共大箕铺镇水南湾村支部委员会、水南湾村村民委员会"
REPLY_DUE = date(2027, 1, 8)


def letter_context(organ) -> dict:
    """The context of documents/handoff.html for the 20-problem letter (also used by bench/letter_pdf.py)."""
    return {
        "letterhead": letterhead(organ),
        "number": NUMBER,
        "title": TITLE,
        "addressee": ADDRESSEE,
        "basis": "根据镇纪委2026年第三批次“巡回驻点”监督工作安排，第二监督检查组于2026年10月12日至11月6日对"
                 "水南湾村开展监督检查，发现该村在集体“三资”管理、惠民政策落实、基层党组织建设等方面存在20个问题。",
        "problems": [{"problem": problem, "requirement": requirement, "responsible": responsible,
                      "deadline": date(2026, 12, 15 + n % 3 * 5)}
                     for n, (problem, requirement, responsible) in enumerate(PROBLEMS)],
        "reply_due": REPLY_DUE,
        "contact_name": "周文静",
        "contact_phone": "0714-8765432",
        "issued": date(2026, 11, 27),
    }
