"""django-import-export resources of the roster sheets, by kind (issue 9): cached lookups, rows matched
on stable keys, bulk writes, and the checks across a sheet done once (``base``)."""

from rosters.resources.base import CodedResource
from rosters.resources.corps import (
    DutyDayResource,
    FollowUpResource,
    MembershipResource,
    TeamResource,
    TrainingDayResource,
)
from rosters.resources.households import DeedResource, HouseholdResource, PairingResource, PlanResource, VisitResource
from rosters.resources.organisation import (
    AssistanceResource,
    ContactLeaderResource,
    DutyRecordResource,
    GroupLeaderResource,
    PersonResource,
    PlaceResource,
    PostResource,
    SectorLeadResource,
    UnitResource,
)

#: The resource of each kind of sheet (``rosters.kinds.SPECS``).
RESOURCES: dict[str, type[CodedResource]] = {
    "places": PlaceResource,
    "units": UnitResource,
    "people": PersonResource,
    "posts": PostResource,
    "contact_leaders": ContactLeaderResource,
    "group_leaders": GroupLeaderResource,
    "sector_leads": SectorLeadResource,
    "assistance": AssistanceResource,
    "teams": TeamResource,
    "memberships": MembershipResource,
    "households": HouseholdResource,
    "pairings": PairingResource,
    "visits": VisitResource,
    "deeds": DeedResource,
    "plans": PlanResource,
    "duty_days": DutyDayResource,
    "training_days": TrainingDayResource,
    "follow_ups": FollowUpResource,
    "duty_records": DutyRecordResource,
}
