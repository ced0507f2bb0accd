"""Models of the ``tiers`` app: the organisation tree, assignments, and the catalogue."""

from tiers.models.assignments import (
    AssistanceAssignment,
    ContactLeaderAssignment,
    GroupLeaderAssignment,
    LeadingGroup,
    LeadingGroupMember,
    SectorLeadMembership,
)
from tiers.models.catalogue import (
    Document,
    Duty,
    Escalation,
    EscalationAction,
    EscalationTrigger,
    Policy,
    Rule,
    Tier,
)
from tiers.models.duty_records import DutyRecord, DutyRecordKind, Finding, FindingResult
from tiers.models.people import Person, Post
from tiers.models.places import Place, PlaceGroupObjectPermission, PlaceUserObjectPermission
from tiers.models.reviews import EditRequest, EditRequestStatus
from tiers.models.roles import RoleAssignment
from tiers.models.submissions import SubmissionToken
from tiers.models.units import Unit, UnitGroupObjectPermission, UnitUserObjectPermission

__all__ = [
    "AssistanceAssignment",
    "ContactLeaderAssignment",
    "Document",
    "Duty",
    "DutyRecord",
    "DutyRecordKind",
    "EditRequest",
    "EditRequestStatus",
    "Escalation",
    "EscalationAction",
    "EscalationTrigger",
    "Finding",
    "FindingResult",
    "GroupLeaderAssignment",
    "LeadingGroup",
    "LeadingGroupMember",
    "Person",
    "Place",
    "PlaceGroupObjectPermission",
    "PlaceUserObjectPermission",
    "Policy",
    "RoleAssignment",
    "Post",
    "Rule",
    "SectorLeadMembership",
    "SubmissionToken",
    "Tier",
    "Unit",
    "UnitGroupObjectPermission",
    "UnitUserObjectPermission",
]
