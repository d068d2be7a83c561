"""The supervision checklist library (监督清单), version 1, as data. The migration 0004 loads it into a new
database; `checklist_ensure` puts version 1 back when it is missing (a flushed test database, a demo loaded into an
emptied one). Later versions are drafted and published by administrators (rounds.admin_checklist); this file is
never edited to change a published version.

Each item: theme (rounds.models.Theme value), code, text (what is checked), guidance (检查方法: what to read, whom
to ask) and basis (the rule the item rests on). The rules are cited by their names; an article number is given only
where it is stable across the current text."""

ORGANIC_LAW = "《中华人民共和国村民委员会组织法》"
RURAL_PARTY = "《中国共产党农村基层组织工作条例》"
CLEAN_RULES = "《农村基层干部廉洁履行职责若干规定（试行）》"
FINANCE_RULES = "《农村集体经济组织财务制度》（财政部、农业农村部）及本省村级财务管理规定"

ITEMS = [
    # 四议两公开
    {"theme": "four_two", "code": "SY-01", "text": "村级重大事项是否全部履行“四议两公开”程序",
     "guidance": "调取本年度村“两委”会议记录、党员大会和村民（代表）会议记录，列出集体资产处置、工程项目、"
                 "土地承包与流转、征地补偿分配等重大事项，逐项核对是否经过提议、商议、审议、决议四个环节。",
     "basis": f"{RURAL_PARTY}（村级重大事项决策实行“四议两公开”）；{ORGANIC_LAW}第二十四条"},
    {"theme": "four_two", "code": "SY-02", "text": "村党组织提议、村“两委”会议商议是否有记录",
     "guidance": "查阅村党组织会议、村“两委”联席会议记录，看提议内容、参会人员、商议意见是否记录完整，有无事后补记。",
     "basis": f"{RURAL_PARTY}"},
    {"theme": "four_two", "code": "SY-03", "text": "党员大会审议是否达到法定人数并经多数同意",
     "guidance": "查阅党员大会记录和签到表，核对应到、实到人数（须三分之二以上党员到会），表决结果是否过半数同意；"
                 "抽取部分党员个别谈话，核实是否确实参会。",
     "basis": f"{RURAL_PARTY}；《中国共产党支部工作条例（试行）》"},
    {"theme": "four_two", "code": "SY-04", "text": "村民会议或村民代表会议决议是否符合法定人数和表决规则",
     "guidance": "查阅村民（代表）会议记录、签到表和表决票，核对到会人数与表决结果；走访部分村民代表，核实签名真实。",
     "basis": f"{ORGANIC_LAW}第二十二条、第二十六条"},
    {"theme": "four_two", "code": "SY-05", "text": "决议和实施结果是否及时公开",
     "guidance": "查看村务公开栏及存档照片、公开记录，核对决议公开和实施结果公开的时间、内容；走访群众了解是否知晓。",
     "basis": f"{RURAL_PARTY}（决议公开、实施结果公开）；{ORGANIC_LAW}第三十条"},

    # 三重一大
    {"theme": "three_one", "code": "ZD-01", "text": "重大决策、重要人事任免、重大项目安排和大额资金使用是否集体决策",
     "guidance": "对照本单位“三重一大”事项清单，抽查会议纪要和决策记录，核对事项是否上会、是否先决策后实施。",
     "basis": "民主集中制原则；《中国共产党纪律处分条例》；本单位“三重一大”决策制度"},
    {"theme": "three_one", "code": "ZD-02", "text": "有无个人或少数人决定重大事项",
     "guidance": "比对大额支出凭证、合同签订日期与会议纪要日期，查找未经集体研究或会后补议的事项；个别谈话了解实际决策过程。",
     "basis": "民主集中制原则；《中国共产党纪律处分条例》"},
    {"theme": "three_one", "code": "ZD-03", "text": "决策过程中的不同意见是否如实记录",
     "guidance": "查阅会议记录是否逐人记录发表意见和表决情况，有无“一致同意”的格式化记录；谈话核实记录是否属实。",
     "basis": "本单位“三重一大”决策制度；议事规则"},
    {"theme": "three_one", "code": "ZD-04", "text": "大额资金使用的标准和审批是否符合规定",
     "guidance": "对照本单位确定的大额资金标准，抽查大额支出的审批单、会议纪要和付款凭证，核对审批权限与程序。",
     "basis": "本单位“三重一大”决策制度；财务管理制度"},

    # 村务公开
    {"theme": "affairs_open", "code": "GK-01", "text": "村务公开是否按期进行",
     "guidance": "查看公开栏和公开档案：一般事项至少每季度公开一次，集体财务往来较多的财务收支每月公开，"
                 "涉及村民利益的重大事项随时公开。",
     "basis": f"{ORGANIC_LAW}第三十条"},
    {"theme": "affairs_open", "code": "GK-02", "text": "公开内容是否全面真实",
     "guidance": "将公开的财务收支与账簿核对；核对低保、特困供养、各类补贴名单是否完整公开；走访群众了解公开内容与实际是否一致。",
     "basis": f"{ORGANIC_LAW}第三十条、第三十一条"},
    {"theme": "affairs_open", "code": "GK-03", "text": "村务监督委员会是否履行监督职责",
     "guidance": "查阅村务监督委员会工作记录、对公开内容和财务票据的审核签字，与监委会成员谈话了解是否实际参与监督。",
     "basis": f"{ORGANIC_LAW}第三十二条；《关于建立健全村务监督委员会的指导意见》"},
    {"theme": "affairs_open", "code": "GK-04", "text": "公开资料是否留存归档",
     "guidance": "查看公开内容的存档（照片、底稿）是否齐全、可追溯，有无只公开不存档或事后补拍的情况。",
     "basis": "村务公开档案管理有关规定"},

    # 村级三资
    {"theme": "three_assets", "code": "ZC-01", "text": "集体收入是否及时足额入账，有无坐支",
     "guidance": "比对租赁、承包合同约定的收入与账面收入；查银行流水，核对现金收入是否及时存入，有无收入直接用于支出。",
     "basis": f"{FINANCE_RULES}；《现金管理暂行条例》"},
    {"theme": "three_assets", "code": "ZC-02", "text": "有无私设“小金库”或公款私存",
     "guidance": "核对村级全部银行账户，询问报账员、出纳有无账外资金；对照收费项目查找未入账收入。",
     "basis": f"{FINANCE_RULES}；{CLEAN_RULES}"},
    {"theme": "three_assets", "code": "ZC-03", "text": "支出是否经过审批，有无白条入账",
     "guidance": "抽查会计凭证，看原始票据是否合规，经手人、证明人、审批人签字及村务监督委员会审核是否齐全；有无白条抵账。",
     "basis": f"{FINANCE_RULES}"},
    {"theme": "three_assets", "code": "ZC-04", "text": "固定资产和集体资源台账是否建立并账实相符",
     "guidance": "查阅固定资产台账和资源登记簿，实地抽查房屋、设备、山林、水面等，核对是否登记、是否被侵占或闲置流失。",
     "basis": f"{FINANCE_RULES}"},
    {"theme": "three_assets", "code": "ZC-05", "text": "集体资产资源发包、出租是否公开竞价，价格是否合理",
     "guidance": "查阅合同及发包过程资料，看是否经民主程序并公开竞价，租金是否明显低于市场价，期限是否过长。",
     "basis": f"{ORGANIC_LAW}第二十四条；{CLEAN_RULES}"},
    {"theme": "three_assets", "code": "ZC-06", "text": "承包费、租金是否按合同收取",
     "guidance": "逐份核对合同约定的收费时间和金额与收款凭证、银行流水，列出欠收清单并了解原因。",
     "basis": f"{FINANCE_RULES}"},
    {"theme": "three_assets", "code": "ZC-07", "text": "有无以集体资金出借、为他人提供担保",
     "guidance": "查往来账、其他应收款明细，核对有无借款给个人或企业、为他人担保的情况及审批程序。",
     "basis": f"{FINANCE_RULES}；{CLEAN_RULES}"},

    # 惠民惠农补贴
    {"theme": "subsidies", "code": "BT-01", "text": "耕地地力保护补贴面积是否与实际耕地相符",
     "guidance": "将补贴发放面积与承包地确权面积、实际耕种情况比对，实地抽查已撂荒、被占用或改变用途的地块。",
     "basis": "财政部、农业部《关于全面推开农业“三项补贴”改革工作的通知》"},
    {"theme": "subsidies", "code": "BT-02", "text": "退耕还林补助是否足额按时兑付到户",
     "guidance": "核对退耕还林面积、兑现花名册与一卡通发放记录；走访农户了解实际到账金额和时间。",
     "basis": "《退耕还林条例》"},
    {"theme": "subsidies", "code": "BT-03", "text": "低保审核确认程序是否完整",
     "guidance": "抽查低保档案，看是否有申请、家庭经济状况调查和入户调查记录、民主评议情况，公示期是否满7天。",
     "basis": "民政部《最低生活保障审核确认办法》；《社会救助暂行办法》"},
    {"theme": "subsidies", "code": "BT-04", "text": "村干部及其近亲属享受低保是否备案",
     "guidance": "将低保名单与村“两委”干部及其近亲属名单比对，核对是否单独登记备案、是否符合条件。",
     "basis": "民政部《最低生活保障审核确认办法》"},
    {"theme": "subsidies", "code": "BT-05", "text": "有无死亡、不符合条件人员继续享受补贴",
     "guidance": "将补贴和低保名单与死亡人员、财政供养人员、车辆和工商登记等信息比对，对比中的人员逐一核实。",
     "basis": "民政部《最低生活保障审核确认办法》；有关补贴资金管理办法"},
    {"theme": "subsidies", "code": "BT-06", "text": "有无“人情保”“关系保”和优亲厚友",
     "guidance": "走访低保户和未纳入的困难户，了解评议过程；比对受益人与村干部亲属关系。",
     "basis": f"民政部《最低生活保障审核确认办法》；{CLEAN_RULES}"},
    {"theme": "subsidies", "code": "BT-07", "text": "一卡通发放名单与花名册一致，有无村干部代管群众存折（卡）",
     "guidance": "将一卡通发放明细与花名册、公示名单逐户核对；走访群众询问卡折是否本人持有、有无被代领。",
     "basis": "惠民惠农财政补贴资金“一卡通”管理有关规定"},

    # 土地
    {"theme": "land", "code": "TD-01", "text": "土地流转金是否按时收取并足额支付到户",
     "guidance": "查阅流转合同、收款和发放凭证，走访流转农户核对实际收到的流转金。",
     "basis": "《农村土地经营权流转管理办法》"},
    {"theme": "land", "code": "TD-02", "text": "征地补偿分配方案是否经村民会议讨论决定",
     "guidance": "查阅征地补偿分配方案及村民（代表）会议记录、公示材料，核对分配是否按方案执行。",
     "basis": f"{ORGANIC_LAW}第二十四条；《中华人民共和国土地管理法》第四十九条"},
    {"theme": "land", "code": "TD-03", "text": "征地补偿款是否足额发放到户，有无虚报青苗、面积",
     "guidance": "将补偿清册与丈量记录、青苗清点记录和银行发放记录比对，实地查看并走访被征地农户。",
     "basis": "《中华人民共和国土地管理法》第四十八条、第四十九条"},
    {"theme": "land", "code": "TD-04", "text": "宅基地审批是否公开，有无违规审批、一户多宅",
     "guidance": "查阅宅基地申请和审批资料、公示记录，实地抽查新建房屋是否与审批一致。",
     "basis": "《中华人民共和国土地管理法》第六十二条"},

    # 工程项目
    {"theme": "projects", "code": "XM-01", "text": "村级工程项目是否经过“四议两公开”立项",
     "guidance": "列出本年度村级工程项目，逐项核对立项的会议记录和公开材料。",
     "basis": f"{RURAL_PARTY}；{ORGANIC_LAW}第二十四条"},
    {"theme": "projects", "code": "XM-02", "text": "是否按规定招标或比选，有无拆分项目规避招标",
     "guidance": "对照招标限额标准，检查同一时期、同一地点的项目是否被拆分；查阅招标、比选资料的完整性。",
     "basis": "《中华人民共和国招标投标法》第四条；本地村级小型工程项目管理办法"},
    {"theme": "projects", "code": "XM-03", "text": "有无村干部及其亲属承揽村级工程",
     "guidance": "将施工方负责人、实际施工人与村干部及其近亲属名单比对；走访了解实际施工人。",
     "basis": f"{CLEAN_RULES}"},
    {"theme": "projects", "code": "XM-04", "text": "工程验收时是否核实工程量",
     "guidance": "查阅验收记录，对照合同和结算清单实地抽查工程量；了解验收人员组成。",
     "basis": "本地村级小型工程项目管理办法"},
    {"theme": "projects", "code": "XM-05", "text": "工程结算是否经过审计，款项支付是否符合合同",
     "guidance": "查阅结算审计报告、付款凭证，核对付款金额与审定金额、合同约定进度是否一致。",
     "basis": f"{FINANCE_RULES}；本地村级小型工程项目管理办法"},

    # 作风与党建
    {"theme": "conduct", "code": "ZF-01", "text": "“三会一课”是否按规定召开",
     "guidance": "查阅支部党员大会、支委会、党小组会和党课记录，核对次数、内容，有无集中补记。",
     "basis": "《中国共产党支部工作条例（试行）》"},
    {"theme": "conduct", "code": "ZF-02", "text": "误工补贴是否按批准的标准发放",
     "guidance": "核对误工补贴人员和标准是否经村民会议讨论决定，发放记录是否与标准一致，有无重复领取。",
     "basis": f"{ORGANIC_LAW}第二十四条"},
    {"theme": "conduct", "code": "ZF-03", "text": "有无公款吃喝、违规接待和发放津补贴",
     "guidance": "抽查招待费、办公费等凭证及附件，核对接待对象、事由和标准；查看有无以会议、劳务名义列支的餐费和福利。",
     "basis": "中央八项规定及其实施细则精神；《中国共产党纪律处分条例》"},
    {"theme": "conduct", "code": "ZF-04", "text": "有无“吃拿卡要”、优亲厚友等侵害群众利益问题",
     "guidance": "走访群众、查阅信访件，了解办事中有无索要财物、故意刁难或违规收费。",
     "basis": f"{CLEAN_RULES}；《中国共产党纪律处分条例》"},
    {"theme": "conduct", "code": "ZF-05", "text": "以往监督检查和巡察发现问题是否真正整改",
     "guidance": "调取以往反馈的问题清单和整改报告，逐项核对整改证明材料，实地查看整改效果。",
     "basis": "以往监督检查、巡察反馈意见及整改方案"},

    # 机关单位：党建工作
    {"theme": "dept_party", "code": "DJ-01", "text": "党组织设置和换届是否规范，组织生活是否正常开展",
     "guidance": "查阅党组织设置、换届选举材料和“三会一课”、主题党日、组织生活会记录。",
     "basis": "《中国共产党党和国家机关基层组织工作条例》"},
    {"theme": "dept_party", "code": "DJ-02", "text": "党员教育管理和党费收缴是否规范",
     "guidance": "查阅党员学习教育记录、党费收缴台账，核对交纳基数和标准。",
     "basis": "《中国共产党党员教育管理工作条例》；中共中央组织部关于党费收缴、使用和管理的规定"},
    {"theme": "dept_party", "code": "DJ-03", "text": "民主生活会和谈心谈话是否开展，批评与自我批评是否到位",
     "guidance": "查阅民主生活会方案、会议记录、整改清单，抽查谈心谈话记录。",
     "basis": "《县以上党和国家机关党员领导干部民主生活会若干规定》"},

    # 机关单位：主体责任落实
    {"theme": "dept_responsibility", "code": "ZR-01", "text": "党委（党组）是否研究部署全面从严治党工作",
     "guidance": "查阅党委（党组）会议记录，核对年度专题研究全面从严治党工作的次数和内容，责任清单是否制定。",
     "basis": "《党委（党组）落实全面从严治党主体责任规定》"},
    {"theme": "dept_responsibility", "code": "ZR-02", "text": "主要负责人第一责任人责任和班子成员“一岗双责”是否落实",
     "guidance": "查阅责任清单、班子成员对分管领域的督促检查和谈话提醒记录，与班子成员个别谈话。",
     "basis": "《党委（党组）落实全面从严治党主体责任规定》"},
    {"theme": "dept_responsibility", "code": "ZR-03", "text": "廉政风险防控和对下属单位的监督管理是否到位",
     "guidance": "查阅廉政风险点排查和防控措施、内部审计和对下属单位的检查记录，了解发现问题的处理情况。",
     "basis": "《党委（党组）落实全面从严治党主体责任规定》"},

    # 机关单位：巡察整改
    {"theme": "dept_inspection", "code": "XC-01", "text": "巡察反馈问题是否建立整改台账并逐项销号",
     "guidance": "调取巡察反馈意见、整改方案和整改台账，逐项核对整改措施、时限、责任人和销号依据。",
     "basis": "《中国共产党巡视工作条例》（巡察工作参照执行）"},
    {"theme": "dept_inspection", "code": "XC-02", "text": "整改是否真实到位，有无虚假整改、敷衍整改",
     "guidance": "对已销号事项抽查原始凭证和制度文件，实地查看，走访相关人员核实整改效果。",
     "basis": "《中国共产党巡视工作条例》（巡察工作参照执行）"},
    {"theme": "dept_inspection", "code": "XC-03", "text": "巡察移交的问题线索是否按规定处置并反馈",
     "guidance": "核对巡察移交问题线索的办理和反馈记录，了解处置结果与反馈时限。",
     "basis": "《中国共产党巡视工作条例》（巡察工作参照执行）"},
    {"theme": "dept_inspection", "code": "XC-04", "text": "是否举一反三建立长效机制",
     "guidance": "查阅整改中新建或修订的制度，了解执行情况，看同类问题是否再次发生。",
     "basis": "《中国共产党巡视工作条例》（巡察工作参照执行）"},
]

VERSION_1_NOTE = "初始版本：村（社区）和机关单位监督清单"


def checklist_ensure(ChecklistVersion=None, ChecklistItem=None) -> None:
    """Create version 1 (published) with the items above when there is no version 1."""
    if ChecklistVersion is None:
        from .models import ChecklistItem, ChecklistVersion
    from django.utils import timezone

    if ChecklistVersion.objects.filter(number=1).exists():
        return
    version = ChecklistVersion.objects.create(number=1, note=VERSION_1_NOTE, published_at=timezone.now())
    ChecklistItem.objects.bulk_create(
        ChecklistItem(version=version, order=(i + 1) * 10, **item) for i, item in enumerate(ITEMS))
