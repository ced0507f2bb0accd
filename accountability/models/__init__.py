"""Models of the engines: compliance runs, violations; escalation triggers, actions and their due process."""

from accountability.models.compliance import ComplianceRun, PeriodClosure, RuleEvaluation, Violation
from accountability.models.dashboards import ActionSummary, Coverage, Summary, UnitSummary
from accountability.models.escalation import (
    Action,
    ActionDecision,
    ActionTarget,
    ActionTrigger,
    Case,
    Incident,
    Rating,
    Rebuttal,
)

__all__ = [
    "Action",
    "ActionDecision",
    "ActionSummary",
    "ActionTarget",
    "ActionTrigger",
    "Case",
    "ComplianceRun",
    "Coverage",
    "Incident",
    "PeriodClosure",
    "Rating",
    "Rebuttal",
    "RuleEvaluation",
    "Summary",
    "UnitSummary",
    "Violation",
]
