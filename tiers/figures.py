"""The registry of figure functions: rule code → a set-based function over the whole province.

The app that owns the records registers the figure of each rule it feeds (``@figure("R10.2")``);
the compliance engine looks them up by the rule's code. Adding a rule is data plus one function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FigureFunction = Callable[..., Any]
_REGISTRY: dict[str, FigureFunction] = {}


def figure(rule_code: str) -> Callable[[FigureFunction], FigureFunction]:
    """Register the decorated function as the figure of ``rule_code``."""

    def register(fn: FigureFunction) -> FigureFunction:
        if rule_code in _REGISTRY and _REGISTRY[rule_code] is not fn:
            raise ValueError(f"figure for {rule_code} registered twice")
        _REGISTRY[rule_code] = fn
        return fn

    return register


def figure_for(rule_code: str) -> FigureFunction:
    """The figure function of ``rule_code`` (KeyError when no app registered one)."""
    return _REGISTRY[rule_code]


def registered() -> dict[str, FigureFunction]:
    """All registered figure functions, by rule code."""
    return dict(_REGISTRY)
