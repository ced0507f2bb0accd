"""Error messages as constants, so that forms, imports and tests share one wording."""

from django.utils.translation import gettext_lazy as _


class Msg:
    """Validation messages of the ``tiers`` app (Chinese source strings, English in locale/en)."""

    TIER_CODE = _("层级编码格式应为 T 加两位数字，如 T01。")
    DUTY_CODE = _("责任事项编码格式应为 D 加两位数字、点和一位数字，如 D02.2。")
    RULE_CODE = _("规则编码格式应为 R 加两位数字、点和一位数字，如 R09.1。")
    ESCALATION_CODE = _("问责规则编码格式应为 E 加两位数字、点和一位数字，如 E05.1。")
    MINIMUM_POSITIVE = _("最低要求必须是不小于 1 的整数。")
    MINIMUM_BY_RANK = _(
        "按职级的最低要求应为 {职级编码: 正整数}，职级编码只能是 provincial、bureau、division、section。"
    )
    POINT_NOT_PRO_RATED = _("时点检查的规则不能按在岗时长折算。")
    DEADLINE_FORMAT = _("期限格式应为“月-日”，如 03-31。")
    RULE_DUTY_TIER = _("所选责任事项不属于该规则的责任层级。")
    SEVERITY_RANGE = _("最高严重程度不能低于最低严重程度。")
    ADMONISH_NEEDS_CONVENOR = _("约谈必须指定约谈主体。")
    ADMONISH_NEEDS_TARGETS = _("约谈必须指定至少一类约谈对象。")
    TARGETS_INVALID = _("约谈对象必须是列表，且每一项都是有效的约谈对象编码。")

    CODE_DIGITS = _("区划代码只能由数字组成。")
    CODE_LENGTH = _("%(level)s的区划代码应为 %(length)d 位数字，现为 %(actual)d 位。")
    CODE_PREFIX = _("区划代码 %(code)s 与上级 %(parent)s（%(parent_code)s）不一致：应以 %(prefix)s 开头。")
    LEVEL_UNDER_PARENT = _("%(parent)s 之下只能设%(expected)s，不能设%(level)s。")
    ROOT_LEVEL = _("只有省级区划可以没有上级。")
    CODE_TAKEN = _("区划代码 %(code)s 已被“%(name)s”使用。")

    DATES_ORDER = _("结束日期不能早于开始日期。")
    UNIT_CODE = _("单位编码只能包含大写字母、数字和连字符，长度 2–40。")
    PERSON_CODE = _("人员编码只能包含大写字母、数字和连字符，长度 2–40。")
    PHONE = _("联系电话只能包含数字、空格、+ 和 -。")
    ID_CARD = _("身份证号应为 18 位，最后一位可为 X，且校验位正确。")
    POST_ORG = _("职务必须且只能属于一个单位或一个行政区划。")
    MUST_BE_COUNTY = _("所选区划必须是县（市、区）级。")
    MUST_BE_VILLAGE = _("所选区划必须是村级。")
    MUST_BE_TOWNSHIP = _("所选区划必须是乡镇级。")
    CHARGE_OUTSIDE_COUNTY = _("包抓的乡镇或村必须位于所联系的县（市、区）之内。")
    LEAD_UNIT_NOT_SELF = _("牵头单位与归口单位不能是同一个单位。")
    GROUP_PLACE_LEVEL = _("领导小组只能设在省、市（州）或县（市、区）一级。")
    VILLAGE_WORK_COUNTY = _("驻村工作领导小组只能设在县（市、区）一级。")
    OVERLAP = _("同一时期已有相同的任职或分工（%(other)s），请先结束原记录。")
    ROLE_NEEDS_PLACE = _("角色“%(role)s”必须授予在%(level)s一级的行政区划上。")
    ROLE_NEEDS_UNIT = _("角色“%(role)s”必须授予在一个单位上。")
    ROLE_NEEDS_PERSON = _("帮扶责任人角色需要先把该账号关联到一名干部。")
    REVIEW_OWN_REQUEST = _("不能审核自己提交的修改申请。")
    REVIEW_DONE = _("该修改申请已经审核过了。")
    REJECT_NEEDS_NOTE = _("驳回修改申请时请填写审核意见。")
    REVIEW_NOT_ALLOWED = _("您无权审核该区域的修改申请。")
    FUTURE_DATE = _("日期不能晚于今天（%(today)s）。")
    # Bounds of every date a user enters (tiers.validators): the field is named.
    DATE_BEFORE_CAMPAIGN = _("%(field)s不能早于 %(start)s（精准扶贫工作开始之前没有记录）。")
    DATE_IN_FUTURE = _("%(field)s不能晚于今天（%(today)s）。")
    YEAR_OUT_OF_RANGE = _("%(field)s应在 %(first)d 年至 %(last)d 年之间。")
    RECORD_NEEDS_SUBJECT = _("请至少填写所涉行政区划、单位或领导中的一项。")
    ATTACHMENT_TOO_BIG = _("附件不能超过 %(limit)d MB。")
    ATTACHMENT_CONTENT = _("附件内容与扩展名 .%(extension)s 不符：请上传真实的 PDF、Word、Excel 或图片文件。")
    KIND_SUBJECT = _("“%(kind)s”需要填写：%(fields)s。")
    RECORD_OUT_OF_SCOPE = _("该区划或单位不在您的工作范围内。")
    REFERENCE_OUT_OF_SCOPE = _("所选的%(fields)s不在您的工作范围内，未保存。")
    PERSON_OUT_OF_SCOPE = _("所选人员不在您的工作范围内：%(names)s。")
    RECORD_NEEDS_KIND = _("请至少选择一个类别。")
    UNKNOWN_PLACE = _("找不到区划代码 %(value)s。")
    UNKNOWN_UNIT = _("找不到单位编码 %(value)s，或该单位不在您的工作范围内。")
    UNKNOWN_PERSON = _("找不到人员编码 %(codes)s。")

    # Form submissions (tiers.submissions): the second POST of one form never saves twice.
    ALREADY_SUBMITTED = _("该表单已经提交过，未重复保存：这是第一次提交的结果。")
    SUBMISSION_NOT_YOURS = _("该表单已失效，请重新打开页面填写后再提交。")
