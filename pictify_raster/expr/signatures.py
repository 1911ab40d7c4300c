"""How many arguments each filter and function takes, for the parser's checks."""

from __future__ import annotations

from .filters import FILTERS
from .functions import FUNCTIONS

FILTER_ARITY: dict[str, tuple[int, int]] = {
    name: (spec.min_args, spec.max_args) for name, spec in FILTERS.items()
}
FUNCTION_ARITY: dict[str, tuple[int, int]] = {
    name: (spec.min_args, spec.max_args) for name, spec in FUNCTIONS.items()
}
