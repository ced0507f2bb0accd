"""Error messages of the villagecorps app."""

from django.utils.translation import gettext_lazy as _


class Msg:
    TEAM_CODE = _("工作队编码只能包含大写字母、数字和连字符，长度 2–40。")
    MUST_BE_VILLAGE = _("工作队所驻地必须是村级行政区划。")
    TEAM_OVERLAP = _("该村在这段时间已有驻村帮扶工作队（%(other)s）。")
    MEMBER_OVERLAP = _("%(person)s 在这段时间已在 %(other)s 驻村，同一人不能同时驻两个村。")
    MEMBERSHIP_OUTSIDE_TEAM = _("驻村时间必须在工作队存续期间（%(start)s 起）。")
    FUTURE_DATE = _("日期不能晚于今天（%(today)s）。")
    OUTSIDE_MEMBERSHIP = _("%(date)s 不在 %(person)s 的驻村期间（%(start)s 至 %(end)s）。")
    NOT_STATIONED = _("%(date)s %(person)s 没有驻村记录。")
    OUT_OF_SCOPE = _("该队员或工作队不在您的工作范围内。")
    NOT_A_MEMBER = _("您的账号没有关联驻村干部，不能记录本人驻村情况。")
    LOCATION_FORMAT = _("位置应为“纬度,经度”，如 35.84,104.11；可以不填。")
    COVER_OVERLAP = _("该驻村干部在这段时间已有保险记录（%(other)s）。")
    TRAINING_COUNTY = _("轮训所在县必须是县（市、区）级行政区划。")
    IMPORT_ROW = _("第 %(row)d 行，%(field)s：%(reason)s")
    IMPORT_FAILED = _("导入未保存：有 %(count)d 行存在问题，请修改后重新导入。")
    IMPORT_HEADER = _("表头应包含：人员编码、日期、类别（可选：位置）。")
    IMPORT_FORMAT = _("只能导入 .xlsx 或 .csv 文件。")
    IMPORT_EMPTY = _("文件中没有数据行。")
    UNKNOWN_PERSON = _("找不到人员编码 %(code)s。")
    UNKNOWN_KIND = _("类别“%(value)s”无效，应为：%(choices)s。")
    BAD_DATE = _("日期“%(value)s”无效，应为 2019-07-31 这样的格式。")
    DUPLICATE_ROW = _("与第 %(other)d 行重复（同一人同一天）。")
    MEMBERSHIP_AFTER_TEAM = _("驻村结束日期不能晚于工作队撤离日期（%(end)s）。")
    DAYS_AFTER_END = _("结束日期之后已有 %(count)d 天考勤记录（最早 %(first)s），请先核对这些记录。")
    LOCATION_RANGE = _("位置超出范围：纬度应在 -90 至 90 之间，经度应在 -180 至 180 之间。")
