"""Households, pairings, 一户一策 plans, visits and deeds (tier 10). Built in issue 3."""
