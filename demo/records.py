"""Demo data: a county Party committee's study group through the first half of 2020.

`demo_seed()` writes it through the same services the pages use (sessions with attendance, plans),
so the demo holds only what a user could have entered. It is deterministic (a fixed random seed)
and idempotent: the demo group's presence marks the seed as done, and a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from intake.count import count_characters, count_words
from sessions_app.models import (
    Attendance,
    LeaveRequest,
    MakeupDuty,
    Member,
    PlannedTopic,
    ReflectionEssay,
    SessionFormat,
    StudyGroup,
    StudyPlan,
    StudySession,
)
from sessions_app.services.plans import (
    TopicInput,
    plan_approve,
    plan_start,
    plan_topics_save,
    planned_topic_mark_done,
)
from sessions_app.services.sessions import AttendanceEntry, session_record

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-pass-2020"
ADMIN_USERNAME = "admin"
_SEED = 2020

GROUP_NAME = "示例县党委理论学习中心组"
ORGANISATION = "示例县委"
MAIN_ROOM = "县委常委会议室"

# username, name, role, position, the work they lead (for their essays).
PEOPLE = [
    ("leader", "张建国", Member.Role.LEADER, "县委书记", "县委全面工作"),
    ("member01", "王志刚", Member.Role.DEPUTY, "县委副书记、县长", "县政府全面工作"),
    ("member02", "李红梅", Member.Role.MEMBER, "县委副书记", "党建和“三农”工作"),
    ("member03", "陈立新", Member.Role.MEMBER, "县委常委、常务副县长", "财政和经济运行工作"),
    ("member04", "赵文斌", Member.Role.MEMBER, "县委常委、县纪委书记、县监委主任", "纪检监察工作"),
    ("member05", "周海涛", Member.Role.MEMBER, "县委常委、组织部部长", "组织和干部人才工作"),
    ("member06", "吴静", Member.Role.MEMBER, "县委常委、宣传部部长", "宣传思想文化工作"),
    ("member07", "孙明辉", Member.Role.MEMBER, "县委常委、政法委书记", "政法和平安建设工作"),
    ("member08", "马丽娟", Member.Role.MEMBER, "县委常委、统战部部长", "统一战线工作"),
    ("member09", "黄宏伟", Member.Role.MEMBER, "县委常委、县委办公室主任", "县委办公室工作"),
    ("member10", "郭振华", Member.Role.MEMBER, "县委常委、县人武部政委", "国防动员和民兵工作"),
    ("member11", "林春生", Member.Role.MEMBER, "县委常委、副县长", "卫生健康和疫情防控工作"),
    ("member12", "何玉兰", Member.Role.MEMBER, "副县长", "农业农村和扶贫开发工作"),
    ("secretary", "刘晓燕", Member.Role.SECRETARY, "县委宣传部副部长", "理论学习组织工作"),
]
ESSAY_AUTHORS = [p[0] for p in PEOPLE if p[0] != "secretary"]

# The approved 2020 H1 plan, made in December 2019. Each session below names the topic it
# covers by key; two topics were not covered (the February field visit fell to the epidemic).
H1_STUDY_TOPICS = [
    ("4th", 1, SessionFormat.TOPIC_STUDY, "学习贯彻党的十九届四中全会精神", "张建国"),
    ("discipline", 1, SessionFormat.VIDEO, "全面从严治党和党风廉政建设", "赵文斌"),
    ("campaign", 1, SessionFormat.SEMINAR, "巩固深化“不忘初心、牢记使命”主题教育成果", "李红梅"),
    ("redsite", 2, SessionFormat.TOPIC_STUDY, "赴县革命纪念馆开展现场教学", "周海涛"),
    ("epidemic", 3, SessionFormat.VIDEO, "统筹推进疫情防控和经济社会发展", "张建国"),
    ("poverty", 3, SessionFormat.SEMINAR, "决战决胜脱贫攻坚", "何玉兰"),
    ("security", 4, SessionFormat.EXPERT_LECTURE, "总体国家安全观", "市委党校专家"),
    (
        "sixstable",
        4,
        SessionFormat.TOPIC_STUDY,
        "扎实做好“六稳”工作、全面落实“六保”任务",
        "王志刚",
    ),
    ("organs", 5, SessionFormat.TOPIC_STUDY, "学习《中国共产党机构编制工作条例》", "周海涛"),
    ("region", 5, SessionFormat.SEMINAR, "区域协调发展战略与粤港澳大湾区建设", "陈立新"),
    ("lianghui", 6, SessionFormat.ENLARGED_MEETING, "学习贯彻全国“两会”精神", "张建国"),
    (
        "civilcode",
        6,
        SessionFormat.EXPERT_LECTURE,
        "学习宣传贯彻《中华人民共和国民法典》",
        "市中级人民法院专家",
    ),
]
H1_RESEARCH_TOPICS = [
    # key, title, due, assignees, done on
    (
        "r-firms",
        "疫情防控常态化条件下我县中小企业复工复产情况调研",
        dt.date(2020, 5, 31),
        ["member03", "member01"],
        dt.date(2020, 5, 26),
    ),
    (
        "r-poverty",
        "我县脱贫攻坚“回头看”和防止返贫监测情况调研",
        dt.date(2020, 6, 30),
        ["member02", "member12"],
        dt.date(2020, 6, 19),
    ),
]

# The sessions of 2020 H1: no session in February, when gatherings stopped for the epidemic.
# date, start, end, format, topic key, topic, place, host, speakers, essays due, minutes.
SESSIONS = [
    (
        dt.date(2020, 1, 8),
        "09:00",
        "11:30",
        SessionFormat.TOPIC_STUDY,
        "4th",
        "学习贯彻党的十九届四中全会精神，推进县域治理体系和治理能力现代化",
        MAIN_ROOM,
        "leader",
        "张建国（县委书记）领学；王志刚、周海涛交流发言",
        dt.date(2020, 1, 22),
        "会议原文学习了《中共中央关于坚持和完善中国特色社会主义制度、推进国家治理体系和治理能力现代化"
        "若干重大问题的决定》。张建国同志领学并强调，要把制度优势更好转化为县域治理效能。"
        "与会同志结合分管工作交流了学习体会。会议要求各成员在两周内提交心得体会。",
    ),
    (
        dt.date(2020, 1, 17),
        "15:00",
        "17:00",
        SessionFormat.VIDEO,
        "discipline",
        "观看电视专题片《一抓到底正风纪》，学习习近平总书记在十九届中央纪委四次全会上的重要讲话",
        MAIN_ROOM,
        "leader",
        "赵文斌（县纪委书记）解读讲话精神",
        None,
        "集体观看了电视专题片《一抓到底正风纪》第一、二集。赵文斌同志解读了习近平总书记重要讲话精神。"
        "会议强调，要以案为鉴、以案促改，驰而不息纠治“四风”，持续巩固风清气正的政治生态。",
    ),
    (
        dt.date(2020, 1, 21),
        "09:00",
        "11:30",
        SessionFormat.SEMINAR,
        "campaign",
        "巩固深化“不忘初心、牢记使命”主题教育成果，建立长效机制",
        MAIN_ROOM,
        "leader",
        "李红梅、周海涛、吴静、黄宏伟重点发言",
        None,
        "会议围绕建立“不忘初心、牢记使命”长效机制开展专题研讨，四位同志作重点发言。"
        "张建国同志在总结时指出，要把主题教育中形成的好经验好做法固化为制度，防止问题反弹回潮。",
    ),
    (
        dt.date(2020, 3, 4),
        "15:00",
        "17:30",
        SessionFormat.VIDEO,
        "epidemic",
        "学习习近平总书记在统筹推进新冠肺炎疫情防控和经济社会发展工作部署会议上的重要讲话",
        "县委常委会议室（视频会议分会场）",
        "leader",
        "张建国（县委书记）领学；县卫生健康局负责同志通报全县疫情防控情况",
        dt.date(2020, 3, 18),
        "受疫情影响，本次学习以视频方式进行，各乡镇设分会场。会议传达学习了习近平总书记重要讲话精神，"
        "县卫生健康局负责同志通报了全县疫情防控和复工复产情况。会议要求，坚持一手抓疫情防控、一手抓经济社会发展，"
        "分区分级精准施策，有序推动企业复工复产。",
    ),
    (
        dt.date(2020, 3, 18),
        "09:00",
        "11:30",
        SessionFormat.SEMINAR,
        "poverty",
        "学习习近平总书记在决战决胜脱贫攻坚座谈会上的重要讲话，研究克服疫情影响、确保如期脱贫",
        MAIN_ROOM,
        "member01",
        "何玉兰、李红梅、陈立新重点发言",
        dt.date(2020, 4, 1),
        "会议由王志刚同志主持。何玉兰同志汇报了全县剩余贫困人口和挂牌督战村情况，与会同志围绕"
        "扶贫产品销售、贫困劳动力外出务工、防止返贫监测等问题深入研讨，提出了具体措施。",
    ),
    (
        dt.date(2020, 4, 15),
        "09:00",
        "11:30",
        SessionFormat.EXPERT_LECTURE,
        "security",
        "坚持总体国家安全观，统筹发展和安全",
        MAIN_ROOM,
        "leader",
        "市委党校 许振东教授作专题辅导",
        None,
        "在第五个全民国家安全教育日，邀请市委党校许振东教授作专题辅导，系统讲解了总体国家安全观的"
        "科学内涵和实践要求。会议强调，要增强忧患意识，守住不发生区域性系统性风险的底线。",
    ),
    (
        dt.date(2020, 4, 28),
        "15:00",
        "17:30",
        SessionFormat.TOPIC_STUDY,
        "sixstable",
        "学习习近平总书记关于统筹推进疫情防控和经济社会发展的重要讲话，扎实做好“六稳”工作、落实“六保”任务",
        MAIN_ROOM,
        "leader",
        "王志刚（县长）领学；陈立新通报一季度经济运行情况",
        dt.date(2020, 5, 12),
        "会议学习了习近平总书记在中央政治局会议上的重要讲话和在陕西考察时的重要讲话精神。陈立新同志"
        "通报了一季度全县经济运行情况。会议要求，把“六保”作为“六稳”的着力点，抓好稳就业、保市场主体。",
    ),
    (
        dt.date(2020, 5, 20),
        "09:00",
        "11:00",
        SessionFormat.SEMINAR,
        "region",
        "学习习近平总书记关于区域协调发展和粤港澳大湾区建设的重要论述，研究我县承接产业转移",
        MAIN_ROOM,
        "member01",
        "陈立新、黄宏伟、马丽娟重点发言",
        None,
        "会议学习了习近平总书记关于推动形成优势互补高质量发展区域经济布局的重要论述，研讨了学习借鉴"
        "粤港澳大湾区建设经验、主动承接产业转移的思路。",
    ),
    (
        dt.date(2020, 6, 3),
        "09:00",
        "11:30",
        SessionFormat.ENLARGED_MEETING,
        "lianghui",
        "学习贯彻全国“两会”精神和习近平总书记重要讲话精神",
        "县行政中心一楼会议室",
        "leader",
        "张建国（县委书记）传达；王志刚解读《政府工作报告》",
        dt.date(2020, 6, 17),
        "扩大会议，县直各部门和各乡镇主要负责同志列席。会议传达学习了十三届全国人大三次会议和"
        "全国政协十三届三次会议精神，王志刚同志解读了《政府工作报告》中与县域发展密切相关的内容。",
    ),
    (
        dt.date(2020, 6, 10),
        "15:00",
        "17:30",
        SessionFormat.EXPERT_LECTURE,
        "civilcode",
        "学习宣传贯彻《中华人民共和国民法典》",
        MAIN_ROOM,
        "leader",
        "市中级人民法院 梁静法官作专题辅导",
        dt.date(2020, 6, 24),
        "邀请市中级人民法院梁静法官解读民法典的立法背景、主要内容和重大意义。会议要求各级领导干部"
        "带头学习民法典，提高运用法治思维和法治方式推动发展、化解矛盾、维护稳定的能力。",
    ),
    (
        dt.date(2020, 6, 17),
        "09:00",
        "11:30",
        SessionFormat.TOPIC_STUDY,
        "",
        "学习习近平总书记关于防汛救灾工作的重要指示，部署防汛和安全生产工作",
        MAIN_ROOM,
        "leader",
        "孙明辉、何玉兰作交流发言",
        None,
        "会议学习了习近平总书记关于防汛救灾工作的重要指示精神。会议强调，要压紧压实防汛责任，"
        "做好山洪地质灾害隐患点排查，确保人民群众生命财产安全。",
    ),
    (
        dt.date(2020, 6, 24),
        "09:00",
        "11:30",
        SessionFormat.SEMINAR,
        "",
        "加强党的政治建设，严守政治纪律和政治规矩——迎接建党99周年专题研讨",
        MAIN_ROOM,
        "leader",
        "张建国领学；赵文斌、周海涛、吴静重点发言",
        None,
        "会议围绕加强党的政治建设开展专题研讨。与会同志对照党章党规，查找自身在政治站位、"
        "担当作为等方面的差距，明确了整改方向。",
    ),
]

# When the secretary entered each session's record and attendance, by session index: days after
# the session and the local time. Most the same evening or within three days; two late, so the
# summary's appendix shows what a late record looks like: the 21 January seminar entered after
# the Spring Festival (12 days on), the 28 April session only when the term's records were
# checked in June (35 days on, past audit.promptness.LATE_RECORD_DAYS). 10 of 12 within 7 days.
RECORDED_AFTER = [
    (0, "17:40"),
    (0, "18:10"),
    (12, "10:20"),
    (1, "09:30"),
    (0, "17:50"),
    (2, "16:15"),
    (35, "15:30"),
    (0, "18:05"),
    (1, "10:40"),
    (0, "19:20"),
    (3, "11:00"),
    (0, "17:45"),
]

# Who was away, by session index: not random, so the demo tells a plausible story.
AWAY = {
    1: {"member10": (Attendance.Status.LEAVE, "参加军分区党委会议")},
    3: {"member11": (Attendance.Status.LEAVE, "在县疫情防控指挥部值守")},
    4: {"leader": (Attendance.Status.LEAVE, "参加上级会议")},
    7: {"leader": (Attendance.Status.LEAVE, "赴省里参加招商推介活动")},
}
LEAVE_REASONS = ["公务外出", "参加上级会议", "带队督导疫情防控", "赴市里参加培训", "病假"]
MAKEUP_NOTES = ["自学会议材料并撰写学习笔记", "观看会议录像并补学", "向主持人汇报自学情况"]

# Per topic key: what an essay title says, and the points an essay makes.
ESSAY_THEMES = {
    "4th": {
        "titles": [
            "把制度优势转化为县域治理效能",
            "学习党的十九届四中全会精神心得体会",
            "坚持和完善制度体系 推进治理能力现代化",
        ],
        "subject": "党的十九届四中全会精神",
        "points": [
            "全会系统回答了“坚持和巩固什么、完善和发展什么”这个重大政治问题，"
            "为我们做好县域工作提供了根本遵循。",
            "制度的生命力在于执行。县域治理处在承上启下的位置，"
            "既要把上级的制度安排落实到位，又要把基层的好做法及时总结提炼、形成制度。",
            "推进治理能力现代化，关键在干部。领导干部要带头尊崇制度、严格执行制度、自觉维护制度，"
            "切实提高运用制度干事创业的能力。",
        ],
    },
    "epidemic": {
        "titles": [
            "统筹疫情防控和经济社会发展的思考",
            "在大战大考中践行初心使命",
            "学习习近平总书记2月23日重要讲话的体会",
        ],
        "subject": "习近平总书记关于统筹推进疫情防控和经济社会发展的重要讲话",
        "points": [
            "这次疫情是对治理体系和治理能力的一次大考，讲话对统筹疫情防控和经济社会发展作出了全面部署，"
            "坚定了我们打赢疫情防控阻击战的信心。",
            "越是困难时期，越要坚持辩证思维，既要毫不放松抓好疫情防控，又要有序推动复工复产，"
            "努力把疫情造成的损失降到最低。",
            "疫情防控一线是检验干部的考场。广大党员干部冲锋在前、日夜坚守，"
            "充分体现了基层党组织的战斗堡垒作用。",
        ],
    },
    "poverty": {
        "titles": [
            "克服疫情影响 确保如期脱贫",
            "学习决战决胜脱贫攻坚座谈会讲话心得",
            "以更大决心和力度打赢脱贫攻坚战",
        ],
        "subject": "习近平总书记在决战决胜脱贫攻坚座谈会上的重要讲话",
        "points": [
            "2020年是全面建成小康社会目标实现之年，也是脱贫攻坚收官之年，"
            "完成剩余脱贫任务、巩固脱贫成果的责任重大。",
            "要把防止返贫摆在更加重要的位置，对脱贫不稳定户和边缘易致贫户加强监测，提前采取帮扶措施。",
            "疫情对贫困劳动力外出务工和扶贫产品销售影响较大，必须精准施策，"
            "通过点对点输送、消费扶贫等办法帮助群众稳岗增收。",
        ],
    },
    "sixstable": {
        "titles": [
            "抓好“六稳” 落实“六保”",
            "保市场主体就是保社会生产力",
            "学习中央政治局会议精神的体会",
        ],
        "subject": "做好“六稳”工作、落实“六保”任务的部署要求",
        "points": [
            "“六保”是“六稳”的着力点，守住“六保”底线，就能稳住经济基本盘。",
            "保居民就业是“六保”之首，要把高校毕业生、农民工等重点群体的就业放在突出位置，"
            "落实好稳岗返还、创业担保贷款等政策。",
            "市场主体是经济的力量载体，要把减税降费、金融支持等政策不折不扣落实到企业，"
            "帮助中小微企业渡过难关。",
        ],
    },
    "lianghui": {
        "titles": [
            "学习全国“两会”精神心得体会",
            "以“两会”精神统一思想、凝聚力量",
            "读《政府工作报告》的几点体会",
        ],
        "subject": "全国“两会”精神",
        "points": [
            "今年的全国“两会”在特殊时期召开，《政府工作报告》没有提出全年经济增速具体目标，"
            "体现了实事求是、把稳就业保民生放在首位的鲜明导向。",
            "“两会”精神要落地见效，关键在于结合县情把各项部署转化为具体项目、具体措施和具体责任。",
            "各级政府要坚持过紧日子，大力压减一般性支出，把节省下来的资金用于保基层运转和民生支出。",
        ],
    },
    "civilcode": {
        "titles": [
            "学习民法典 提高法治思维",
            "领导干部要做尊法学法守法用法的模范",
            "学习《中华人民共和国民法典》的体会",
        ],
        "subject": "《中华人民共和国民法典》",
        "points": [
            "民法典是新中国第一部以“法典”命名的法律，被称为“社会生活的百科全书”，"
            "对保障人民权益具有十分重要的意义。",
            "各级政府要以保证民法典有效实施为重要抓手推进法治政府建设，"
            "依法行政、依法决策，不得违背法律法规随意作出减损公民权益的决定。",
            "领导干部要带头学习民法典，把民法典作为行政决策、行政管理、行政监督的重要标尺，"
            "提高运用法治思维和法治方式解决问题的能力。",
        ],
    },
}
OPENINGS = [
    "通过这次中心组集中学习，我对{subject}有了更加深刻的理解。",
    "认真学习{subject}后，我深受教育、倍感振奋。",
    "按照县委理论学习中心组的安排，我反复研读了{subject}。",
]
ACTIONS = [
    "下一步，我将结合{work}，把学习成果转化为推动工作的实际成效，"
    "坚持问题导向，聚焦群众急难愁盼问题，拿出务实管用的措施。",
    "结合{work}，我将进一步梳理工作中存在的短板弱项，列出清单、明确时限，逐项抓好整改落实，"
    "以钉钉子精神确保各项部署落地见效。",
    "作为分管{work}的同志，我将带头学、带头干，把学习体会转化为谋划工作的思路和举措，"
    "以实际行动践行初心使命。",
]
CLOSINGS = [
    "总之，学习永远在路上。我将持续深化学习，做到学思用贯通、知信行统一。",
    "我将把这次学习作为新的起点，不断提高政治判断力、政治领悟力、政治执行力。",
    "今后，我将自觉把学习贯彻融入日常、抓在经常，切实做到真学真懂真信真用。",
]
RETURN_COMMENT = "篇幅偏短，联系分管工作不够具体，请补充下一步的具体举措后重新提交。"

RESEARCH_REPORTS = {
    "r-firms": (
        "member03",
        "关于疫情防控常态化条件下我县中小企业复工复产情况的调研报告",
        dt.datetime(2020, 5, 26, 16, 30),
        "按照县委理论学习中心组年度调研安排，4月下旬至5月中旬，调研组深入全县6个乡镇、"
        "3个工业园区，走访中小企业42家，召开座谈会5场。\n"
        "调研发现，全县规模以上工业企业已全部复工，但部分企业订单不足、用工紧张、资金周转困难，"
        "中小微企业复产达产率明显低于规模以上企业。\n"
        "为此建议：一是落实好减税降费和稳岗返还政策，简化办理流程；"
        "二是建立政银企对接机制，扩大首贷、信用贷投放；三是组织开展线上招聘和点对点劳务输送，"
        "缓解企业用工难题；四是建立县级领导联系重点企业制度，及时协调解决企业困难。",
    ),
    "r-poverty": (
        "member02",
        "关于我县脱贫攻坚“回头看”和防止返贫监测情况的调研报告",
        dt.datetime(2020, 6, 19, 10, 0),
        "5月至6月，调研组采取实地走访、入户核查、座谈交流等方式，对全县脱贫攻坚工作开展“回头看”，"
        "走访脱贫户和边缘户136户。\n"
        "总体看，“两不愁三保障”和饮水安全问题基本解决，帮扶措施落实到位，群众满意度较高。"
        "但也存在部分脱贫户收入来源单一、产业带动不强、防止返贫监测识别不够及时等问题。\n"
        "建议：一是建立防止返贫动态监测和帮扶机制，做到早发现、早干预、早帮扶；"
        "二是发展壮大特色产业，完善利益联结机制；三是推动脱贫攻坚与乡村振兴有效衔接。",
    ),
}

# The two H1 topics no session covered, carried over into the H2 plan (month, readings).
CARRIED_OVER = {
    "redsite": (7, "县革命纪念馆展陈资料和红色革命故事选编"),
    "organs": (9, "《中国共产党机构编制工作条例》"),
}

# The plan for 2020 H2, drafted in June: month, format, title, lead speaker, readings.
# seed_demo then approves it (narratives.py) on H2_PLAN_APPROVED_ON with H2_PLAN_APPROVED_NOTE.
H2_STUDY_TOPICS = [
    (
        7,
        SessionFormat.TOPIC_STUDY,
        "学习《习近平谈治国理政》第三卷",
        "张建国",
        "《习近平谈治国理政》第三卷相关篇目",
    ),
    (
        8,
        SessionFormat.SEMINAR,
        "践行“绿水青山就是金山银山”理念，推进生态文明建设",
        "王志刚",
        "习近平总书记关于生态文明建设的重要论述",
    ),
    (
        9,
        SessionFormat.EXPERT_LECTURE,
        "加快构建以国内大循环为主体、国内国际双循环相互促进的新发展格局",
        "省委党校专家",
        "习近平总书记在经济社会领域专家座谈会上的讲话",
    ),
    (
        10,
        SessionFormat.TOPIC_STUDY,
        "学习《中国共产党农村工作条例》，推进乡村振兴",
        "李红梅",
        "《中国共产党农村工作条例》",
    ),
    (
        11,
        SessionFormat.ENLARGED_MEETING,
        "学习贯彻党的十九届五中全会精神",
        "张建国",
        "党的十九届五中全会公报和《建议》",
    ),
    (
        12,
        SessionFormat.SEMINAR,
        "总结脱贫攻坚成效，谋划“十四五”县域发展",
        "王志刚",
        "县“十四五”规划纲要（征求意见稿）",
    ),
] + [
    (month, fmt, title, speaker, readings)
    for key, _month, fmt, title, speaker in H1_STUDY_TOPICS
    if key in CARRIED_OVER
    for month, readings in [CARRIED_OVER[key]]
]
H2_PLAN_DRAFT_NOTE = "草案，待县委常委会研究后印发。"
H2_PLAN_APPROVED_ON = dt.date(2020, 6, 30)
H2_PLAN_APPROVED_NOTE = "经县委常委会研究，2020年6月30日印发。"
H2_RESEARCH_TOPICS = [
    ("巩固拓展脱贫攻坚成果同乡村振兴有效衔接调研", dt.date(2020, 10, 31), ["member02", "member12"]),
    ("优化营商环境、激发市场主体活力调研", dt.date(2020, 11, 30), ["member01", "member03"]),
]

# The history rows the seed writes in bulk say which import made them.
SEED_REASON = "seed_demo"


@dataclass(frozen=True)
class DemoSeedResult:
    """What seed_demo did: created is False when the demo group was already there."""

    created: bool
    group: StudyGroup
    password: str
    usernames: list[str]
    sessions: int
    attendances: int
    essays: int


def aware(day: dt.date, hhmm: str) -> dt.datetime:
    """The moment `hhmm` (e.g. "09:30") on `day`, in the local time zone."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _date_session(session: StudySession, when: dt.datetime) -> None:
    """Date the session's record, its attendance and their history rows `when` (aware), as if
    the secretary had entered them then: the seed runs years later, and the creation times and
    the history are what audit.promptness reads. Updates only, so no signal writes history."""
    stamps = {"created_at": when, "updated_at": when}
    # The 补学 duties the attendance opened, with it.
    MakeupDuty.objects.filter(attendance__session=session).update(**stamps)
    MakeupDuty.history.model.objects.filter(attendance__session=session.pk).update(
        history_date=when, **stamps
    )
    StudySession.objects.filter(pk=session.pk).update(**stamps)
    StudySession.history.filter(id=session.pk).update(history_date=when, **stamps)
    Attendance.objects.filter(session=session).update(**stamps)
    Attendance.history.model.objects.filter(session_id=session.pk).update(
        history_date=when, **stamps
    )
    session.created_at = session.updated_at = when


def _date_essays(essays: list[ReflectionEssay]) -> None:
    """Date each essay created when it was submitted and last changed when reviewed (else when
    submitted), its one history row (the values it holds) at that last change."""
    History = ReflectionEssay.history.model
    for essay in essays:
        changed = essay.reviewed_at or essay.submitted_at
        stamps = {"created_at": essay.submitted_at, "updated_at": changed}
        ReflectionEssay.objects.filter(pk=essay.pk).update(**stamps)
        History.objects.filter(id=essay.pk).update(history_date=changed, **stamps)


def clock_time(hhmm: str) -> dt.time:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.time(hour, minute)


def _users(password_hash: str) -> dict[str, object]:
    """The demo's users by username; existing users keep their password."""
    User = get_user_model()
    wanted = [p[0] for p in PEOPLE] + [ADMIN_USERNAME]
    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    new = []
    for username, name, *_rest in PEOPLE:
        if username not in existing:
            new.append(
                User(
                    username=username,
                    last_name=name[0],
                    first_name=name[1:],
                    password=password_hash,
                )
            )
    if ADMIN_USERNAME not in existing:
        new.append(
            User(username=ADMIN_USERNAME, password=password_hash, is_staff=True, is_superuser=True)
        )
    User.objects.bulk_create(new)
    return {u.username: u for u in User.objects.filter(username__in=wanted)}


def _essay_body(rng: random.Random, theme: dict, work: str) -> str:
    first, second, third = rng.sample(theme["points"], 3)
    return "\n".join(
        [
            rng.choice(OPENINGS).format(subject=theme["subject"]) + "学习中，我有三点体会。",
            f"一是{first}",
            f"二是{second}",
            f"三是{third}",
            rng.choice(ACTIONS).format(work=work),
            rng.choice(CLOSINGS),
        ]
    )


def _attendance(
    rng: random.Random, index: int, day: dt.date, members: dict[str, Member], named: set[str]
):
    """Every member's attendance; the members named as host or speaker (`named`) were there.

    The random draws are made for them too, so the other members' records stay as they were.
    """
    away = AWAY.get(index, {})
    entries = []
    for username, member in members.items():
        if username in away:
            status, reason = away[username]
        elif username == "secretary":
            status, reason = Attendance.Status.PRESENT, ""
        else:
            roll = rng.random()
            if roll < 0.89:
                status, reason = Attendance.Status.PRESENT, ""
            elif roll < 0.94:
                status, reason = Attendance.Status.LATE, ""
            elif roll < 0.99:
                status, reason = Attendance.Status.LEAVE, rng.choice(LEAVE_REASONS)
            else:
                status, reason = Attendance.Status.ABSENT, ""
        makeup_on, makeup_note = None, ""
        if status in (Attendance.Status.LEAVE, Attendance.Status.ABSENT) and rng.random() < 0.7:
            makeup_on = day + dt.timedelta(days=rng.randint(2, 9))
            makeup_note = rng.choice(MAKEUP_NOTES)
        if username in named and username not in away:
            status, reason, makeup_on, makeup_note = Attendance.Status.PRESENT, "", None, ""
        entries.append(
            AttendanceEntry(
                member=member,
                status=status,
                leave_reason=reason,
                makeup_on=makeup_on,
                makeup_note=makeup_note,
            )
        )
    return entries


# 补学 notes members sent the secretary, and her word on one she returned.
MAKEUP_TEXTS = [
    "通过观看会议录像和研读会议材料，补学了本次集中学习内容。"
    "重点学习了主题发言，结合分管工作谈三点体会：一是提高政治站位；二是抓好贯彻落实；"
    "三是改进工作作风。",
    "自学了会议印发的学习材料和学习记录，撰写学习笔记三千余字。"
    "下一步将把学习成果转化为推动分管工作的具体举措。",
]
MAKEUP_RETURNED = "请结合分管工作写出学习体会，并注明补学的时间和方式。"
# A request the leader refused: the member came after all.
REFUSED_LEAVE = (
    2, "member05", "到市委组织部汇报工作", "本次为专题研讨，请调整汇报时间，按时参加。"
)


def _leave_and_makeup(group, members: dict[str, Member], actor) -> None:
    """The leave and 补学 of the term as the app would have kept them: an approved request
    (asked three days ahead, decided by the leader, or for the leader's own by the deputy) for
    each 请假 recorded, one refused request, and notes on the first duties still owed: two
    submitted and waiting for the secretary, one returned with her comment."""
    deputy = members["member01"]
    sessions = list(StudySession.objects.filter(group=group).order_by("date"))
    leaves = []
    rows = Attendance.objects.filter(
        session__group=group, status=Attendance.Status.LEAVE
    ).select_related("session", "member")
    for row in rows:
        decider = deputy if row.member.role == Member.Role.LEADER else members["leader"]
        asked = aware(row.session.date - dt.timedelta(days=3), "09:20")
        leaves.append(
            LeaveRequest(
                session=row.session, member=row.member, reason=row.leave_reason,
                requested_at=asked, status=LeaveRequest.Status.APPROVED, decided_by=decider,
                decided_at=asked + dt.timedelta(hours=2), created_by=row.member.user,
                updated_by=decider.user,
            )
        )
    index, username, reason, comment = REFUSED_LEAVE
    asked = aware(sessions[index].date - dt.timedelta(days=2), "16:40")
    leaves.append(
        LeaveRequest(
            session=sessions[index], member=members[username], reason=reason, requested_at=asked,
            status=LeaveRequest.Status.REFUSED, decided_by=members["leader"],
            decided_at=asked + dt.timedelta(hours=1), decision_comment=comment,
            created_by=members[username].user, updated_by=members["leader"].user,
        )
    )
    leaves = bulk_create_with_history(
        leaves, LeaveRequest, default_user=actor, default_change_reason=SEED_REASON
    )
    for leave in leaves:
        stamps = {"created_at": leave.requested_at, "updated_at": leave.decided_at}
        LeaveRequest.objects.filter(pk=leave.pk).update(**stamps)
        LeaveRequest.history.model.objects.filter(id=leave.pk).update(
            history_date=leave.decided_at, **stamps
        )

    owed = list(
        MakeupDuty.objects.filter(member__group=group, status=MakeupDuty.Status.OPEN)
        .select_related("attendance__session")
        .order_by("attendance__session__date", "member__sort_order")[:3]
    )
    History = MakeupDuty.history.model
    for n, duty in enumerate(owed):
        session_day = duty.attendance.session.date
        text = MAKEUP_TEXTS[n % len(MAKEUP_TEXTS)]
        values = {
            "notes": text,
            "word_count": count_words(text),
            "submitted_at": aware(session_day + dt.timedelta(days=6), "20:15"),
            "status": MakeupDuty.Status.SUBMITTED,
        }
        if n == 2:
            values.update(
                status=MakeupDuty.Status.RETURNED, review_comment=MAKEUP_RETURNED,
                reviewed_by=members["secretary"],
                reviewed_at=aware(session_day + dt.timedelta(days=8), "10:00"),
            )
        when = values.get("reviewed_at") or values["submitted_at"]
        MakeupDuty.objects.filter(pk=duty.pk).update(updated_at=when, **values)
        duty.refresh_from_db()
        # The submission (and return) as a history row of its own, after the opening one.
        History.objects.create(
            **{f.attname: getattr(duty, f.attname) for f in MakeupDuty._meta.fields},
            history_date=when, history_type="~", history_user=actor,
            history_change_reason=SEED_REASON,
        )


def _plan_2020h1(group, members, actor) -> dict[str, PlannedTopic]:
    plan, _created = plan_start(group=group, year=2020, half=1, user=actor)
    topics = [
        TopicInput(
            kind=PlannedTopic.Kind.STUDY,
            title=title,
            planned_month=month,
            format=fmt,
            lead_speaker=speaker,
        )
        for _key, month, fmt, title, speaker in H1_STUDY_TOPICS
    ] + [
        TopicInput(
            kind=PlannedTopic.Kind.RESEARCH,
            title=title,
            due_date=due,
            assignees=[members[u] for u in assignees],
        )
        for _key, title, due, assignees, _done in H1_RESEARCH_TOPICS
    ]
    plan_topics_save(
        plan=plan, user=actor, topics=topics, notes="经县委常委会研究，2019年12月30日印发。"
    )
    plan_approve(plan=plan, member=members["leader"])
    StudyPlan.objects.filter(pk=plan.pk).update(approved_at=aware(dt.date(2019, 12, 30), "17:00"))
    by_title = {t.title: t for t in plan.topics.all()}
    keys = [(k, title) for k, _m, _f, title, _s in H1_STUDY_TOPICS]
    keys += [(k, title) for k, title, _d, _a, _done in H1_RESEARCH_TOPICS]
    result = {key: by_title[title] for key, title in keys}
    for key, _title, _due, _assignees, done_on in H1_RESEARCH_TOPICS:
        planned_topic_mark_done(topic=result[key], member=members["secretary"], done_on=done_on)
    return result


def _plan_2020h2(group, members, actor) -> None:
    plan, _created = plan_start(group=group, year=2020, half=2, user=actor)
    topics = [
        TopicInput(
            kind=PlannedTopic.Kind.STUDY,
            title=title,
            planned_month=month,
            format=fmt,
            lead_speaker=speaker,
            readings=readings,
        )
        for month, fmt, title, speaker, readings in H2_STUDY_TOPICS
    ] + [
        TopicInput(
            kind=PlannedTopic.Kind.RESEARCH,
            title=title,
            due_date=due,
            assignees=[members[u] for u in assignees],
        )
        for title, due, assignees in H2_RESEARCH_TOPICS
    ]
    plan_topics_save(plan=plan, user=actor, topics=topics, notes=H2_PLAN_DRAFT_NOTE)


def _essays(rng, sessions_by_key, topics, members) -> list[ReflectionEssay]:
    """About 40 essays: reflections on the sessions with a due date, and two research reports."""
    work = {p[0]: p[4] for p in PEOPLE}
    reviewer = members["secretary"]
    essays = []
    for key, session in sessions_by_key.items():
        if session.essay_due_on is None or key not in ESSAY_THEMES:
            continue
        theme = ESSAY_THEMES[key]
        # The last essays of the term were still waiting for review on 30 June.
        recent = session.essay_due_on >= dt.date(2020, 6, 24)
        authors = sorted(rng.sample(ESSAY_AUTHORS, rng.randint(6, 7)))
        for position, username in enumerate(authors):
            author = members[username]
            title = theme["titles"][position % len(theme["titles"])]
            if position >= len(theme["titles"]):
                title = f"{title}——结合{work[username]}的思考"
            day = session.essay_due_on + dt.timedelta(days=rng.randint(-10, 2))
            submitted_at = aware(day, f"{rng.randint(8, 21)}:{rng.choice(['05', '20', '40'])}")
            essay = ReflectionEssay(
                group_id=author.group_id,
                author=author,
                kind=ReflectionEssay.Kind.REFLECTION,
                session=session,
                title=title,
                body=_essay_body(rng, theme, work[username]),
                submitted_at=submitted_at,
                created_by=author.user,
                updated_by=author.user,
            )
            if not recent:
                returned = rng.random() < 0.08
                essay.status = (
                    ReflectionEssay.Status.RETURNED if returned else ReflectionEssay.Status.ACCEPTED
                )
                essay.review_comment = RETURN_COMMENT if returned else ""
                essay.reviewed_by = reviewer
                essay.reviewed_at = submitted_at + dt.timedelta(days=rng.randint(1, 4), hours=2)
                essay.updated_by = reviewer.user
            essays.append(essay)
    for key, (username, title, submitted, body) in RESEARCH_REPORTS.items():
        author = members[username]
        essays.append(
            ReflectionEssay(
                group_id=author.group_id,
                author=author,
                kind=ReflectionEssay.Kind.RESEARCH_REPORT,
                planned_topic=topics[key],
                title=title,
                body=body,
                submitted_at=timezone.make_aware(submitted),
                status=ReflectionEssay.Status.ACCEPTED,
                reviewed_by=reviewer,
                reviewed_at=timezone.make_aware(submitted + dt.timedelta(days=2)),
                created_by=author.user,
                updated_by=reviewer.user,
            )
        )
    for essay in essays:
        essay.word_count = count_words(essay.body)
        essay.char_count = count_characters(essay.body)
        # Foreign keys are set by construction: checking them would query per essay.
        essay.full_clean(exclude=["group", "author", "session", "planned_topic", "reviewed_by"])
    return essays


@transaction.atomic
def demo_seed() -> DemoSeedResult:
    """Create the demo group with its people, 2020 H1 records and the draft 2020 H2 plan.

    Idempotent: when the group with slug `demo` exists, nothing is written. Every user (and the
    superuser `admin`) gets DEMO_PASSWORD when created; existing users keep theirs.
    """
    usernames = [p[0] for p in PEOPLE] + [ADMIN_USERNAME]
    group = StudyGroup.objects.filter(slug=DEMO_SLUG).first()
    if group is not None:
        return DemoSeedResult(
            created=False,
            group=group,
            password=DEMO_PASSWORD,
            usernames=usernames,
            sessions=StudySession.objects.filter(group=group).count(),
            attendances=Attendance.objects.filter(session__group=group).count(),
            essays=ReflectionEssay.objects.filter(group=group).count(),
        )

    rng = random.Random(_SEED)
    users = _users(make_password(DEMO_PASSWORD))  # one hash: PBKDF2 is slow on purpose
    actor = users["secretary"]
    group = StudyGroup(
        name=GROUP_NAME,
        organisation=ORGANISATION,
        slug=DEMO_SLUG,
        created_by=actor,
        updated_by=actor,
    )
    group.full_clean()
    group.save()
    members = {}
    for order, (username, name, role, position, _work) in enumerate(PEOPLE, start=1):
        members[username] = Member(
            group=group,
            user=users[username],
            display_name=name,
            role=role,
            position=position,
            joined_on=dt.date(2019, 1, 1),
            sort_order=order * 10,
            created_by=actor,
            updated_by=actor,
        )
    for member in members.values():
        member.full_clean(
            exclude=["group", "user"], validate_unique=False, validate_constraints=False
        )
    # One history row per row, naming the seed (as the services do for what they write).
    bulk_create_with_history(
        list(members.values()), Member, default_user=actor, default_change_reason=SEED_REASON
    )

    topics = _plan_2020h1(group, members, actor)
    sessions_by_key = {}
    attendances = 0
    for index, (day, start, end, fmt, key, topic, place, host, speakers, due, minutes) in enumerate(
        SESSIONS
    ):
        named = {host} | {u for u, name, *_ in PEOPLE if name in speakers}
        entries = _attendance(rng, index, day, members, named)
        session = session_record(
            group=group,
            actor=actor,
            fields={
                "date": day,
                "start_time": clock_time(start),
                "end_time": clock_time(end),
                "place": place,
                "format": fmt,
                "topic": topic,
                "planned_topic": topics.get(key),
                "host": members[host],
                "speakers": speakers,
                "minutes": minutes,
                "notified_at": aware(day - dt.timedelta(days=3), "10:00"),
                "essay_due_on": due,
            },
            attendance=entries,
        )
        days_after, at = RECORDED_AFTER[index]
        _date_session(session, aware(day + dt.timedelta(days=days_after), at))
        attendances += len(entries)
        if key:
            sessions_by_key[key] = session

    essays = _essays(rng, sessions_by_key, topics, members)
    essays = bulk_create_with_history(
        essays, ReflectionEssay, default_user=actor, default_change_reason=SEED_REASON
    )
    _date_essays(essays)
    _leave_and_makeup(group, members, actor)
    _plan_2020h2(group, members, actor)
    return DemoSeedResult(
        created=True,
        group=group,
        password=DEMO_PASSWORD,
        usernames=usernames,
        sessions=len(SESSIONS),
        attendances=attendances,
        essays=len(essays),
    )
