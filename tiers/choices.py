"""Choices of the organisation tree and the catalogue. Labels are Chinese (the document's terms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceLevel(models.TextChoices):
    """Administrative levels, top to bottom. The tree depth equals the index + 1."""

    PROVINCE = "province", _("省")
    PREFECTURE = "prefecture", _("市（州）")
    COUNTY = "county", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")


LEVEL_ORDER = [level.value for level in PlaceLevel]
#: Length of the division code at each level: GB/T 2260 (6 digits) down to the county, then the
#: statistical division code: 9 digits for a township, 12 for a village.
CODE_LENGTH = {"province": 6, "prefecture": 6, "county": 6, "township": 9, "village": 12}
#: How many leading digits a child's code shares with its parent's code.
PARENT_PREFIX = {"prefecture": 2, "county": 4, "township": 6, "village": 9}


class UnitKind(models.TextChoices):
    """Kinds of unit, following the four sector lead units of section 四."""

    PROVINCIAL_ORGAN = "provincial_organ", _("省直部门")
    CENTRAL_IN_GANSU = "central_in_gansu", _("中央在甘单位")
    UNIVERSITY = "university", _("高等院校")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    FINANCIAL = "financial", _("金融机构")
    PREFECTURE_UNIT = "prefecture_unit", _("市（州）单位")
    COUNTY_UNIT = "county_unit", _("县（市、区）单位")
    TOWNSHIP_UNIT = "township_unit", _("乡镇单位")


class Rank(models.TextChoices):
    """Cadre rank (职级), which decides e.g. how many households a cadre pairs with (R05.3)."""

    PROVINCIAL = "provincial", _("省级")
    BUREAU = "bureau", _("地厅级")
    DIVISION = "division", _("处级")
    SECTION_AND_BELOW = "section", _("科级及以下")


class PostTitle(models.TextChoices):
    """Posts that the document names as accountable or as targets of a 约谈."""

    PRINCIPAL = "principal", _("主要负责同志")
    DEPUTY = "deputy", _("分管负责同志")
    PARTY_SECRETARY = "party_secretary", _("党委书记")
    GOVERNMENT_HEAD = "government_head", _("政府主要负责同志")
    COUNTY_TEAM_HEAD = "county_team_head", _("县委副书记（驻村帮扶工作队总队长）")
    TOWNSHIP_TEAM_HEAD = "township_team_head", _("乡镇驻村帮扶工作队总队长")
    LIAISON = "liaison", _("帮扶工作联络员")
    LEADER = "leader", _("单位领导班子成员")


class LeadingGroupKind(models.TextChoices):
    """Bodies that convene: the coordination leading groups, and a county's 驻村工作领导小组."""

    COORDINATION = "coordination", _("脱贫攻坚帮扶工作协调领导小组")
    VILLAGE_WORK = "village_work", _("驻村工作领导小组")


class GroupRole(models.TextChoices):
    """A person's role in a leading group."""

    HEAD = "head", _("组长")
    DEPUTY_HEAD = "deputy_head", _("副组长")
    MEMBER = "member", _("成员")


class Role(models.TextChoices):
    """User roles. A role says what a user may do; the organisation node it is granted on says where."""

    PROVINCIAL_GROUP = "provincial_group", _("省协调领导小组")
    PREFECTURE_STAFF = "prefecture_staff", _("市（州）工作人员")
    COUNTY_STAFF = "county_staff", _("县（市、区）工作人员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇工作人员")
    UNIT_LIAISON = "unit_liaison", _("帮扶单位联络员")
    TEAM_LEADER = "team_leader", _("驻村工作队队长")
    HELPER = "helper", _("帮扶责任人")
    ADMINISTRATOR = "administrator", _("系统管理员")


# --- the catalogue -------------------------------------------------------------------------------


class Period(models.TextChoices):
    """How often a rule is checked. ``point`` rules are checked on a date."""

    YEAR = "year", _("年度")
    HALF = "half", _("半年")
    QUARTER = "quarter", _("季度")
    MONTH = "month", _("月度")
    POINT = "point", _("时点")


class Measure(models.TextChoices):
    """What kind of figure a rule compares with its minimum."""

    COUNT = "count", _("次数")
    DAYS = "days", _("天数")
    HOUSEHOLDS = "households", _("户数")
    EXISTS = "exists", _("是否具备")
    COVERED = "covered", _("是否覆盖全期")


class SubjectKind(models.TextChoices):
    """What one check of a rule is about (one violation at most per subject and period)."""

    CONTACT_LEADER_COUNTY = "contact_leader_county", _("省级联系包抓领导×联系县")
    GROUP_LEADER_UNIT = "group_leader_unit", _("省直组长单位")
    ASSISTING_UNIT_IN_COUNTY = "assisting_unit_in_county", _("县域内省直和中央在甘帮扶单位")
    ASSISTING_UNIT = "assisting_unit", _("帮扶单位")
    UNIT_LEADER = "unit_leader", _("帮扶单位领导")
    UNIT_CADRE = "unit_cadre", _("帮扶单位干部")
    STATIONED_CADRE = "stationed_cadre", _("帮扶单位×选派驻村干部")
    PREFECTURE = "prefecture", _("市（州）")
    COUNTY = "county", _("县（市、区）")
    COUNTY_CADRE = "county_cadre", _("县×驻村干部")
    TOWNSHIP = "township", _("乡镇")
    TEAM_MEMBER = "team_member", _("驻村工作队队员")
    HELPER_HOUSEHOLD = "helper_household", _("帮扶责任人×帮扶户")


class TriggerKind(models.TextChoices):
    """What sets off an escalation (spec §4)."""

    VIOLATION = "violation", _("违反频次规则")
    FINDING = "finding", _("审核认定未履责")
    INCIDENT = "incident", _("重大涉贫事件")
    FALSIFICATION = "falsification", _("弄虚作假")
    RATING = "rating", _("年度考核不称职")
    SERIOUS = "serious", _("造成严重后果")


class Relation(models.TextChoices):
    """How a trigger's subject relates to the one who bears the action."""

    SELF = "self", _("本级")
    IN_PREFECTURE = "in_prefecture", _("辖区内（市州）")
    IN_COUNTY = "in_county", _("县域内")
    IN_TOWNSHIP = "in_township", _("乡镇辖区内")
    ASSISTED_VILLAGE = "assisted_village", _("帮扶村")
    TEAM = "team", _("驻村工作队")
    HELPER = "helper", _("帮扶责任人")


class ActionKind(models.TextChoices):
    """Actions the document prescribes."""

    ADMONISH = "admonish", _("约谈")
    AWARD_BAN = "award_ban", _("不得评优评先")
    ASSESSMENT_CAP = "assessment_cap", _("年度考核不得评为“好”等次")
    PROMOTION_BAN = "promotion_ban", _("不得提拔重用")
    REPLACEMENT = "replacement", _("调整撤换")
    REFERRAL = "referral", _("依规问责")


class Bearer(models.TextChoices):
    """Who an action falls on, relative to the trigger."""

    SUBJECT = "subject", _("责任主体本身")
    GROUP_LEADER_UNIT = "group_leader_unit", _("组长单位")
    ASSISTING_UNIT = "assisting_unit", _("帮扶单位")
    DISPATCHING_UNIT = "dispatching_unit", _("派出单位")
    TEAM = "team", _("驻村帮扶工作队")
    TEAM_LEADER = "team_leader", _("工作队队长")
    MEMBER = "member", _("当事人")
    PREFECTURE = "prefecture", _("市（州）党委政府")
    COUNTY = "county", _("县（市、区）党委政府")
    TOWNSHIP = "township", _("乡镇党委政府")


class Convenor(models.TextChoices):
    """Who convenes a 约谈 (or decides a referral)."""

    PROVINCIAL_LEADING_GROUP = "provincial_leading_group", _("省脱贫攻坚帮扶工作协调领导小组")
    PREFECTURE_LEADING_GROUP = "prefecture_leading_group", _("市（州）脱贫攻坚帮扶工作协调领导小组")
    COUNTY_LEADING_GROUP = "county_leading_group", _("县（市、区）脱贫攻坚帮扶工作协调领导小组")
    GROUP_LEADER_UNIT = "group_leader_unit", _("组长单位")
    CONTACT_LEADER = "contact_leader", _("省级联系包抓领导")
    COUNTY_PRINCIPAL = "county_principal", _("县（市、区）主要负责同志")
    OWN_UNIT = "own_unit", _("所在单位")
    REVIEWER = "reviewer", _("审核人决定")


class Target(models.TextChoices):
    """Whom a 约谈 summons, resolved to the people holding these posts on the trigger date."""

    PRINCIPAL = "principal", _("主要负责同志")
    DEPUTY = "deputy", _("分管负责同志")
    COUNTY_TEAM_HEAD = "county_team_head", _("总队长")
    PARTY_SECRETARY = "party_secretary", _("党委书记")
    TEAM_LEADER = "team_leader", _("工作队队长")
    MEMBER = "member", _("当事人")
    HELPER = "helper", _("帮扶责任人")
    UNIT_LEADER = "unit_leader", _("单位负责同志")
