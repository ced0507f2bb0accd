"""Models of the villagecorps app: teams, memberships, duty days, follow-up visits, insurance, training."""

from villagecorps.models.records import DutyDay, FollowUpVisit, InsuranceCover, TrainingDay
from villagecorps.models.teams import Membership, Team

__all__ = ["DutyDay", "FollowUpVisit", "InsuranceCover", "Membership", "Team", "TrainingDay"]
