"""Models of the households app: households and pairings, plans, visits and deeds."""

from households.models.households import Household, Pairing
from households.models.records import Deed, Plan, Visit

__all__ = ["Deed", "Household", "Pairing", "Plan", "Visit"]
