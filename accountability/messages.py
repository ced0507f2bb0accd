"""Messages of the engines (Chinese source strings, English in locale/en); tests assert on them."""

from django.utils.translation import gettext_lazy as _


class Msg:
    """Validation and error messages of ``accountability``."""

    COMPLIANCE_YEAR = _("年度 %(year)s 无效：应在 2000 年至评估基准日所在年度之间。")
    COMPLIANCE_UNKNOWN_RULES = _("没有这些可评估的规则：%(codes)s。")
    BAD_PERIOD = _("周期“%(value)s”无效：应为 year、half、quarter、month、point，或如 2019-Q2、2019-H1、2019-06。")
    BAD_STATUS = _("状态“%(value)s”无效：应为 at_risk、violation 或 resolved。")
    BAD_ORG = _("找不到编码为 %(value)s 的区划或单位，或不在您的工作范围内。")
    BAD_YEAR = _("年度“%(value)s”无效。")
