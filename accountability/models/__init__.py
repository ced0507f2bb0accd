"""Models of the engines: compliance runs and their per-rule evaluations, period closures, violations."""

from accountability.models.compliance import ComplianceRun, PeriodClosure, RuleEvaluation, Violation

__all__ = ["ComplianceRun", "PeriodClosure", "RuleEvaluation", "Violation"]
