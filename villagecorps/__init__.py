"""Village-resident work teams, duty days and nights (tier 9). Built in issue 4."""
