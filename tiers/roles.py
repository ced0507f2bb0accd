"""Roles: what a user may do (a Django group of model permissions) and where (a guardian grant).

Each role is granted on one kind of node: the province for the provincial coordination group and
administrators, a prefecture/county/township for their staff, a village for a team leader, a unit
for a unit liaison. A helper's scope is their own person record (no node).
"""

from tiers.choices import PlaceLevel, Role

#: The level of place a role is granted on; ``"unit"`` for a unit, ``None`` for no node.
ROLE_NODE: dict[str, str | None] = {
    Role.PROVINCIAL_GROUP: PlaceLevel.PROVINCE,
    Role.PREFECTURE_STAFF: PlaceLevel.PREFECTURE,
    Role.COUNTY_STAFF: PlaceLevel.COUNTY,
    Role.TOWNSHIP_STAFF: PlaceLevel.TOWNSHIP,
    Role.TEAM_LEADER: PlaceLevel.VILLAGE,
    Role.ADMINISTRATOR: PlaceLevel.PROVINCE,
    Role.UNIT_LIAISON: "unit",
    Role.HELPER: None,
}

PLACE_ROLES = [role for role, node in ROLE_NODE.items() if node not in ("unit", None)]
UNIT_ROLES = [role for role, node in ROLE_NODE.items() if node == "unit"]


def _perms(app: str, *codenames: str) -> list[str]:
    return [f"{app}.{codename}" for codename in codenames]


_VIEW_TREE = _perms("tiers", "view_place", "view_unit", "view_person", "view_post")
_VIEW_ASSIGNMENTS = _perms(
    "tiers",
    "view_contactleaderassignment",
    "view_groupleaderassignment",
    "view_assistanceassignment",
    "view_sectorleadmembership",
    "view_leadinggroup",
    "view_leadinggroupmember",
)
_VIEW_CATALOGUE = _perms(
    "tiers",
    "view_document",
    "view_tier",
    "view_duty",
    "view_rule",
    "view_escalation",
    "view_escalationtrigger",
    "view_escalationaction",
    "view_policy",
)
_EDIT_PEOPLE = _perms("tiers", "add_person", "change_person", "add_post", "change_post")
_REVIEW = _perms("tiers", "review_editrequest", "view_editrequest")
_VIEW_HOUSEHOLDS = _perms("households", "view_household", "view_pairing", "view_visit", "view_deed", "view_plan")
_LOG_HELPER_WORK = _perms(
    "households", "add_visit", "change_visit", "add_deed", "change_deed", "add_plan", "change_plan"
)
_EDIT_HOUSEHOLDS = _perms("households", "add_household", "change_household", "add_pairing", "change_pairing")
_VIEW_TEAMS = _perms(
    "villagecorps",
    "view_team",
    "view_membership",
    "view_dutyday",
    "view_followupvisit",
    "view_insurancecover",
    "view_trainingday",
)
_RECORD_DAYS = _perms("villagecorps", "add_dutyday", "change_dutyday")
_EDIT_TEAMS = _perms(
    "villagecorps",
    "add_team",
    "change_team",
    "add_membership",
    "change_membership",
    "add_trainingday",
    "change_trainingday",
)
_UNIT_DUTIES = _perms(
    "villagecorps", "add_followupvisit", "change_followupvisit", "add_insurancecover", "change_insurancecover"
)
_VIEW_RECORDS = _perms("tiers", "view_dutyrecordkind", "view_dutyrecord", "view_finding")
_LOG_RECORDS = _perms("tiers", "add_dutyrecord", "change_dutyrecord")
_FINDINGS = _perms("tiers", "add_finding", "change_finding")
#: The compliance engine's output (accountability app), scoped like everything else.
_VIEW_COMPLIANCE = ["accountability.view_violation"]
#: The dashboards (issue 8), for roles granted on a part of the tree or a unit.
_VIEW_DASHBOARDS = ["accountability.view_summary"]
#: The escalation engine's triggers and actions (accountability app), scoped like everything else.
_VIEW_ESCALATIONS = [
    f"accountability.view_{name}"
    for name in ("incident", "case", "rating", "action", "actiontarget", "actiontrigger", "actiondecision", "rebuttal")
]
_RECORD_TRIGGERS = _perms("accountability", "add_incident", "change_incident", "add_case", "change_case")
_RECORD_RATINGS = _perms("accountability", "add_rating", "change_rating")
#: Reviewers confirm, record and waive actions and decide rebuttals in their scope (not on their own body).
_DECIDE_ACTIONS = _perms("accountability", "change_action", "change_rebuttal")
_RUN_COMPLIANCE = _perms("accountability", "view_compliancerun", "add_compliancerun", "view_ruleevaluation")
_STAFF = (
    _VIEW_TREE
    + _VIEW_ASSIGNMENTS
    + _VIEW_CATALOGUE
    + _VIEW_HOUSEHOLDS
    + _VIEW_TEAMS
    + _VIEW_RECORDS
    + _VIEW_COMPLIANCE
    + _VIEW_DASHBOARDS
    + _VIEW_ESCALATIONS
)

#: Model permissions (``app.codename``) of each role's group. Administrators get every permission.
ROLE_MODEL_PERMISSIONS: dict[str, list[str]] = {
    Role.PROVINCIAL_GROUP: _STAFF + _FINDINGS + _RUN_COMPLIANCE + _RECORD_TRIGGERS + _DECIDE_ACTIONS,
    Role.PREFECTURE_STAFF: _STAFF
    + _EDIT_PEOPLE
    + _REVIEW
    + _LOG_RECORDS
    + _FINDINGS
    + _RECORD_TRIGGERS
    + _DECIDE_ACTIONS,
    Role.COUNTY_STAFF: _STAFF
    + _EDIT_PEOPLE
    + _REVIEW
    + _LOG_HELPER_WORK
    + _EDIT_HOUSEHOLDS
    + _RECORD_DAYS
    + _EDIT_TEAMS
    + _LOG_RECORDS
    + _FINDINGS
    + _perms("tiers", "add_place", "change_place", "add_leadinggroupmember", "change_leadinggroupmember")
    + _RECORD_TRIGGERS
    + _RECORD_RATINGS
    + _DECIDE_ACTIONS,
    Role.TOWNSHIP_STAFF: _STAFF
    + _EDIT_PEOPLE
    + _REVIEW
    + _LOG_HELPER_WORK
    + _EDIT_HOUSEHOLDS
    + _RECORD_DAYS
    + _LOG_RECORDS,
    Role.UNIT_LIAISON: _STAFF + _EDIT_PEOPLE + _UNIT_DUTIES + _LOG_RECORDS + _RECORD_RATINGS,
    Role.TEAM_LEADER: _VIEW_TREE
    + _VIEW_CATALOGUE
    + _VIEW_HOUSEHOLDS
    + _VIEW_TEAMS
    + _RECORD_DAYS
    + _VIEW_COMPLIANCE
    + _VIEW_DASHBOARDS
    + ["accountability.view_action"],
    Role.HELPER: _VIEW_CATALOGUE
    + _VIEW_HOUSEHOLDS
    + _LOG_HELPER_WORK
    + _VIEW_COMPLIANCE
    + ["accountability.view_action"],
    Role.ADMINISTRATOR: [],
}

#: Roles whose users use the admin site (``is_staff``).
STAFF_ROLES = {
    Role.ADMINISTRATOR,
    Role.PREFECTURE_STAFF,
    Role.COUNTY_STAFF,
    Role.TOWNSHIP_STAFF,
    Role.UNIT_LIAISON,
}


def role_codename(role: str) -> str:
    """The guardian permission codename that grants ``role`` on a node."""
    return f"role_{role}"


def sync_role_groups(**kwargs: object) -> None:
    """Create one group per role and give it exactly its model permissions (run after every migrate).

    Idempotent; a ``post_migrate`` receiver, so that permissions of models added later are picked up.
    """
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMINISTRATOR:
            perms = Permission.objects.exclude(codename__startswith="role_")
        else:
            wanted = Q()
            for name in ROLE_MODEL_PERMISSIONS[role]:
                app_label, codename = name.split(".")
                wanted |= Q(content_type__app_label=app_label, codename=codename)
            perms = Permission.objects.filter(wanted)
        group.permissions.set(perms)
