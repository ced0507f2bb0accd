"""Choices of the villagecorps app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    """A member's role in a village-resident work team."""

    FIRST_SECRETARY_LEADER = "secretary_leader", _("第一书记兼队长")
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    LEADER = "leader", _("队长")
    MEMBER = "member", _("队员")


#: Roles that lead the team (a team leader confirms the team's week).
LEADING_ROLES = {MemberRole.FIRST_SECRETARY_LEADER, MemberRole.FIRST_SECRETARY, MemberRole.LEADER}


class DayKind(models.TextChoices):
    """How a day was spent (九(四)). The first five count toward the 220 duty days; only the first is a
    night in the village toward the 160."""

    IN_VILLAGE_NIGHT = "village_night", _("在村工作并住村")
    IN_VILLAGE = "village", _("在村工作未住村")
    OFFICIAL_TRIP = "trip", _("因公出差")
    MEETING = "meeting", _("会议")
    TRAINING = "training", _("培训")
    LEAVE = "leave", _("请假")
    OTHER = "other", _("其他")


DUTY_KINDS = [DayKind.IN_VILLAGE_NIGHT, DayKind.IN_VILLAGE, DayKind.OFFICIAL_TRIP, DayKind.MEETING, DayKind.TRAINING]
NIGHT_KINDS = [DayKind.IN_VILLAGE_NIGHT]


class DaySource(models.TextChoices):
    """How a duty day was entered."""

    GRID = "grid", _("队长按周确认")
    SELF = "self", _("本人记录")
    IMPORT = "import", _("表格导入")
    ADMIN = "admin", _("后台录入")
