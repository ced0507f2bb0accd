"""Error messages of the households app, as constants shared by forms, services and tests."""

from django.utils.translation import gettext_lazy as _


class Msg:
    HOUSEHOLD_CODE = _("户编码只能包含大写字母、数字和连字符，长度 2–40。")
    MUST_BE_VILLAGE = _("户所在地必须是村级行政区划。")
    EXIT_YEAR_NEEDED = _("已脱贫户必须填写脱贫年度。")
    EXIT_YEAR_ONLY_LIFTED = _("只有已脱贫户或监测户才填写脱贫年度。")
    EXIT_YEAR_RANGE = _("脱贫年度应在 2013 年至今之间。")
    MEMBERS_MIN = _("家庭人口至少为 1 人。")
    PAIRING_OVERLAP = _("该户在这段时间已有结对帮扶责任人（%(other)s），请先结束原结对。")
    FUTURE_DATE = _("日期不能晚于今天（%(today)s）。")
    NOT_PAIRED = _("%(date)s 该户没有结对的帮扶责任人，不能记录。")
    NOT_YOUR_PAIRING = _("%(date)s 您与该户不在结对期内，不能记录。")
    HELPER_NOT_PAIRED = _("%(date)s %(helper)s 与该户不在结对期内。")
    DUPLICATE_VISIT = _("%(helper)s 在 %(date)s 已记录过对该户的走访，同一天不能重复记录。")
    OUT_OF_SCOPE = _("该户不在您的工作范围内。")
    NOT_A_HELPER = _("您的账号没有关联帮扶责任人，不能为自己记录；请由乡镇或县区工作人员代为录入。")
    DEED_TEXT = _("请写明办了什么实事好事。")
    PLAN_YEAR = _("计划年度必须与修订日期所在年度一致或为下一年度。")
    NOTHING_CHANGED = _("没有修改任何内容。")
    EDIT_NEEDS_REVIEW = _("该记录录入已超过 %(days)d 天，修改需经审核。修改申请已提交。")
