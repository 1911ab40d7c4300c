"""Bounds on what one expression may cost, so that no row can exhaust a worker.

The language has no loops, so time is bounded by the size of the tree; the
limits below also bound the size of every value an expression can build.
Every check that trips raises an error naming the limit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """The bounds one expression is parsed and evaluated under."""

    max_source_length: int = 10_000  # characters of one template text or expression
    max_depth: int = 50  # nesting of brackets and depth of the syntax tree
    max_steps: int = 10_000  # operations, filters, calls and look-ups per evaluation
    max_string_length: int = 1_000_000  # characters of a string an expression builds
    max_number: int = 10**18  # magnitude of any number an expression computes
    max_list_length: int = 10_000  # items of a list an expression builds
    max_decimals: int = 20  # decimals a rounding or formatting filter may ask for


DEFAULT_LIMITS = Limits()
