"""Rounding as people expect it on a price tag: halves go away from zero.

Python's round() and Babel both round halves to even (2.5 → 2, 0.125 → 0.12);
the `round` filter and every number, currency and percent format round
2.5 → 3 and 0.125 → 0.13 instead, so the two never disagree on a card.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from decimal import Context as DecimalContext
from typing import Any

from .faults import Fault
from .values import describe

# Enough digits for any bounded number at any allowed number of decimals.
_CONTEXT = DecimalContext(prec=80, rounding=ROUND_HALF_UP)
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(-18, 40)}


def round_half_up(number: Any, places: int) -> Decimal:
    """`number` (int, float or Decimal) rounded to `places` decimals, exactly.

    A float is taken at its shortest text (2.675 is 2.675, not 2.67499…),
    the value its author wrote.
    """
    exact = number if isinstance(number, Decimal) else Decimal(repr(number))
    step = _STEPS.get(places) or Decimal(1).scaleb(-places)
    try:
        return exact.quantize(step, context=_CONTEXT)
    except InvalidOperation:  # infinite, not a number, or beyond any precision
        msg = f"cannot round {describe(number)}"
        raise Fault(msg) from None
