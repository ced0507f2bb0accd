"""Choices of the households app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HouseholdStatus(models.TextChoices):
    """Poverty status of a registered household."""

    POOR = "poor", _("未脱贫")
    LIFTED = "lifted", _("已脱贫")
    MONITORED = "monitored", _("监测户（有返贫风险）")


class ReportedTo(models.TextChoices):
    """Whom a problem found on a visit was reported to (十(二): 驻村帮扶工作队和乡村两级)."""

    NONE = "", _("未反映")
    TEAM = "team", _("驻村帮扶工作队")
    VILLAGE = "village", _("村“两委”")
    TOWNSHIP = "township", _("乡镇党委政府")
    COUNTY = "county", _("县级有关部门")


#: The six categories a visit looks at (一(一): 产业、就业、教育、医疗、住房、饮水), as visit fields.
VISIT_CATEGORIES = [
    ("industry", _("产业")),
    ("employment", _("就业")),
    ("education", _("教育")),
    ("medical", _("医疗")),
    ("housing", _("住房")),
    ("water", _("饮水")),
]

#: The 两不愁三保障 and safe drinking water indicators of a household, as fields.
INDICATORS = [
    ("food_clothing", _("不愁吃、不愁穿")),
    ("education", _("义务教育有保障")),
    ("medical", _("基本医疗有保障")),
    ("housing", _("住房安全有保障")),
    ("water", _("饮水安全有保障")),
]
