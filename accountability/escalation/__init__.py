"""The escalation engine: triggers (violations, findings, incidents, cases, ratings) → actions, with due process."""
