"""Kinds of duty records of tiers 2–8 and the rules each counts for (issue 5).

``needs`` names what a record of the kind must say it is about: ``place:<level>`` (the place, of that
level), ``unit`` (the unit that held it) or ``person`` (the leader who presided or visited).
"""

RECORD_KINDS = [
    {
        "code": "contact-leader-meeting",
        "name": "联系县（市、区）脱贫攻坚帮扶工作协调推进会",
        "clause": "二(二)",
        "rules": ["R02.1"],
        "needs": ["person", "place:county"],
    },
    {
        "code": "three-level-joint-meeting",
        "name": "省、市、县三级组长单位联席会议",
        "clause": "三(二)",
        "rules": ["R03.1"],
        "needs": ["unit", "place:county"],
    },
    {
        "code": "provincial-units-meeting",
        "name": "省直帮扶单位协调推进会议",
        "clause": "三(二)",
        "rules": ["R03.2"],
        "needs": ["unit", "place:county"],
    },
    {
        "code": "responsibility-letter",
        "name": "向省委省政府签订帮扶责任书",
        "clause": "三(三)",
        "rules": ["R03.3"],
        "needs": ["unit", "place:county"],
    },
    {
        "code": "assessment-submission",
        "name": "提出考核等次及表彰建议名单",
        "clause": "三(四)",
        "rules": ["R03.4"],
        "needs": ["unit", "place:county"],
    },
    {
        "code": "party-committee-study",
        "name": "单位党委（党组）研究部署帮扶工作",
        "clause": "五(一)",
        "rules": ["R05.1"],
        "needs": ["unit"],
    },
    {
        "code": "leader-village-visit",
        "name": "单位领导到帮扶村调研指导、协调工作",
        "clause": "五(一)",
        "rules": ["R05.2"],
        "needs": ["person", "place:village"],
    },
    {
        "code": "helper-assessment",
        "name": "组织开展帮扶责任人年度考核",
        "clause": "五(三)",
        "rules": ["R05.4"],
        "needs": ["unit"],
    },
    {
        "code": "prefecture-study",
        "name": "市（州）专题研究脱贫攻坚帮扶工作",
        "clause": "六(一)",
        "rules": ["R06.1"],
        "needs": ["place:prefecture"],
    },
    {
        "code": "prefecture-coordination",
        "name": "市（州）帮扶工作协调推进会",
        "clause": "六(一)",
        "rules": ["R06.2"],
        "needs": ["place:prefecture"],
    },
    {
        "code": "prefecture-inspection",
        "name": "市（州）督查检查或随机暗访",
        "clause": "六(三)",
        "rules": ["R06.3"],
        "needs": ["place:prefecture"],
    },
    {
        "code": "county-promotion-meeting",
        "name": "县（市、区）脱贫攻坚帮扶工作推进会",
        "clause": "七(二)",
        "rules": ["R07.2"],
        "needs": ["place:county"],
    },
    {
        "code": "county-team-heads-meeting",
        "name": "乡镇驻村帮扶工作队总队长会议",
        "clause": "七(三)",
        "rules": ["R07.3"],
        "needs": ["place:county"],
    },
    {
        "code": "township-team-leaders-meeting",
        "name": "驻村帮扶工作队队长工作例会",
        "clause": "八(二)",
        "rules": ["R08.2"],
        "needs": ["place:township"],
    },
]
