"""A declared number beyond what expressions compute with is refused as the row's fault.

Expressions bound every number to max_number (10^18); a variable above it
would make any arithmetic on it fail with a message about the sum. Converting
the row refuses it instead, with INVALID_VARIABLE naming the variable, the
value and the limit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pictify_raster as px
from pictify_raster.errors import ErrorCode
from pictify_raster.expr import DEFAULT_LIMITS

LAYOUT = """\
size: [200, 50]
variables:
  count: {{type: {kind}}}
layers:
  - type: text
    box: [0, 0, 200, 50]
    content: "{{{{ count + 1 }}}}"
"""

LIMIT = DEFAULT_LIMITS.max_number


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        ("integer", "99999999999999999999999", "99999999999999999999999"),
        ("integer", 99999999999999999999999, "99999999999999999999999"),
        ("number", "-99999999999999999999999", "-99999999999999999999999"),
        ("number", 1e30, "1e+30"),
        ("integer", LIMIT + 1, str(LIMIT + 1)),
    ],
)
def test_a_number_beyond_the_limit_is_an_invalid_variable(
    write_layout: Callable[[str], Path], kind: str, value: Any, shown: str
) -> None:
    path = write_layout(LAYOUT.format(kind=kind))
    with pytest.raises(px.VariableError) as caught:
        px.render(path, {"count": value})
    error = caught.value
    assert error.code is ErrorCode.INVALID_VARIABLE
    assert error.field == "count"
    assert error.message == (
        f"variable 'count' is number {shown}, beyond the limit ±{LIMIT} on numbers "
        "(limit max_number)"
    )


@pytest.mark.parametrize(("kind", "value"), [("integer", LIMIT - 1), ("number", f"-{LIMIT - 1}")])
def test_a_number_within_the_limit_renders(
    write_layout: Callable[[str], Path], kind: str, value: Any
) -> None:
    path = write_layout(LAYOUT.format(kind=kind))
    assert px.render(path, {"count": value}).size == (200, 50)
