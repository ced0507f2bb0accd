"""Messages of the engines (Chinese source strings, English in locale/en); tests assert on them."""

from django.utils.translation import gettext_lazy as _


class Msg:
    """Validation and error messages of ``accountability``."""

    COMPLIANCE_YEAR = _("年度 %(year)s 无效：应在 2000 年至评估基准日所在年度之间。")
    COMPLIANCE_UNKNOWN_RULES = _("没有这些可评估的规则：%(codes)s。")
    BAD_PERIOD = _("周期“%(value)s”无效：应为 year、half、quarter、month、point，或如 2019-Q2、2019-H1、2019-06。")
    BAD_RULE = _("规则编码“%(value)s”不存在：应如 R09.1。")
    BAD_STATUS = _("状态“%(value)s”无效：应为 at_risk、violation 或 resolved。")
    BAD_ORG = _("找不到编码为 %(value)s 的区划或单位，或不在您的工作范围内。")
    BAD_YEAR = _("年度“%(value)s”无效。")
    INCIDENT_VILLAGE = _("重大涉贫事件的发生地应为村。")
    INCIDENT_TEAM = _("责任工作队应驻在事件发生的村。")
    CASE_ONE_SUBJECT = _("请填写且只填写一个被认定对象：市县乡党委政府、单位、驻村干部或个人。")
    CASE_PLACE_LEVEL = _("被认定的党委政府应为市（州）、县（市、区）或乡镇。")
    ACTION_TRANSITION = _("“%(from)s”状态的问责措施不能%(verb)s。")
    ACTION_NEEDS_REASON = _("请填写理由。")
    ACTION_HELD_NEEDS_DATE = _("请填写约谈日期和约谈记录。")
    ACTION_ONLY_ADMONISH = _("只有约谈需要登记约谈情况。")
    REBUTTAL_LATE = _("申辩期限已于 %(due)s 届满。")
    REBUTTAL_NOT_SUBJECT = _("只有问责对象本人或其所在单位、地区的工作人员可以申辩。")
    REBUTTAL_DONE = _("该申辩已经审核过了。")
    REVIEW_NOT_ALLOWED = _("您无权处理该问责措施（不在您的工作范围内，或涉及您本人或您所在单位、地区）。")
    REBUTTAL_OWN = _("申辩须由申辩人以外的人员决定。")
    FUTURE_DATE = _("日期不能晚于今天（%(today)s）。")
    FUTURE_YEAR = _("年度不能晚于今年（%(year)s）。")
    TRIGGER_OUT_OF_SCOPE = _("该%(what)s不在您的工作范围内。")
    UNKNOWN_PLACE_CODE = _("找不到区划代码 %(value)s，或该区划不在您的工作范围内。")
    UNKNOWN_UNIT_CODE = _("找不到单位编码 %(value)s，或该单位不在您的工作范围内。")
    UNKNOWN_PERSON_CODE = _("找不到人员编码 %(value)s，或该人员不在您的工作范围内。")
    UNKNOWN_MEMBER_CODE = _("找不到人员编码为 %(value)s 的驻村干部（认定日期在驻村期间），或不在您的工作范围内。")
    NO_TEAM_IN_VILLAGE = _("事件发生时该村没有驻村工作队。")
    BAD_ACTION_KIND = _(
        "措施“%(value)s”无效：应为 admonish、award_ban、assessment_cap、promotion_ban、replacement 或 referral。"
    )
    BAD_ACTION_STATUS = _("状态“%(value)s”无效：应为 proposed、confirmed、held、waived 或 withdrawn。")
    BAD_ESCALATION = _("问责规则编码“%(value)s”无效：应如 E05.1。")

    # Input hygiene and headers (accountability.middleware, accountability.auth; issue 17).
    CONTROL_CHARACTER = _(
        "请求无效：%(where)s中含有不可见的控制字符（如 NUL）。请删除这些字符后重新输入或提交；"
        "从其他软件复制粘贴的内容可能带有这类字符。"
    )
    CONTROL_IN_PATH = _("网址")
    CONTROL_IN_QUERY = _("查询参数")
    CONTROL_IN_FORM = _("提交的表单")
    PASSWORD_RESET_LIMIT = _("找回密码的请求过于频繁，请一小时后再试，或联系系统管理员重置密码。")
