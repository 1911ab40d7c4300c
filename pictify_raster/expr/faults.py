"""The internal signal an evaluation step raises when it cannot go on.

Operations and filters do not know which expression they run in, so they raise
a Fault with a message about the values; the expression that catches it turns
it into an ExpressionError naming itself, with the column of the node at fault.
"""

from __future__ import annotations


class Fault(Exception):
    """An evaluation failed for a reason that is the row's (or the layout's) fault."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.column: int | None = None

    def locate(self, column: int, field: str | None = None) -> Fault:
        """Record where the fault happened, keeping the innermost place."""
        if self.column is None:
            self.column = column
        if self.field is None:
            self.field = field
        return self
