"""What one evaluation carries besides the row: its locale, limits and step count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .faults import Fault
from .limits import Limits


class Context:
    __slots__ = ("limits", "locale", "steps", "variables")

    def __init__(self, variables: Mapping[str, Any], locale: str | None, limits: Limits) -> None:
        self.variables = variables
        self.locale = locale
        self.limits = limits
        self.steps = 0

    def step(self) -> None:
        """Count one operation; the language has no loops, but bound it anyway."""
        self.steps += 1
        if self.steps > self.limits.max_steps:
            msg = f"evaluation took more than {self.limits.max_steps} steps (limit max_steps)"
            raise Fault(msg)
