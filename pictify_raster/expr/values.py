"""The values expressions work on, and how each is named, tested and drawn.

Values are JSON-like: None, bool, int, float (and Decimal from Python callers),
str, list, dict, plus date and datetime. A name absent from the row, or a key
absent from a path, evaluates to an Undefined that remembers why it is absent.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NoReturn

from pictify_raster.errors import VariableError

from .faults import Fault

_DESCRIBE_MAX = 60


class Undefined:
    """A missing value: treated as null by ??, default, coalesce and == null.

    Any other use fails: a missing root variable with VariableError, a missing
    key inside a path with an evaluation fault that names the path.
    """

    __slots__ = ("column", "field", "message", "root")

    def __init__(self, message: str, *, field: str, root: bool, column: int = 0) -> None:
        self.message = message
        self.field = field
        self.root = root
        self.column = column  # where the path that came up empty is written

    def fail(self) -> NoReturn:
        if self.root:
            raise VariableError(self.message, field=self.field)
        raise Fault(self.message, field=self.field).locate(self.column)

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Undefined({self.message!r})"


def missing_variable(name: str) -> Undefined:
    """The value of a root name the row does not have."""
    return Undefined(f"variable {name!r} is missing", field=name, root=True)


def is_number(value: Any) -> bool:
    """True for int, float and Decimal; False for bool, which is its own type."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_nullish(value: Any) -> bool:
    return value is None or type(value) is Undefined


def type_name(value: Any) -> str:
    """The language's name for a value's type (never a Python class name)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if type(value) is Undefined:
        return "missing value"
    return "value"


def describe(value: Any) -> str:
    """A short rendering of a value with its type, for error messages.

    Long values are cut, so a message stays readable whatever the row holds;
    objects that are not data are not shown at all.
    """
    if value is None:
        return "null"
    if type(value) is Undefined:
        return "a missing value"
    kind = type_name(value)
    if kind == "value":
        return "a value that is not data"
    try:
        text = _sample(value)
    except Exception:  # e.g. data nested too deeply to print
        text = "…"
    if len(text) > _DESCRIBE_MAX:
        text = text[: _DESCRIBE_MAX - 1] + "…"
    return f"{kind} {text}"


def _sample(value: Any) -> str:
    """The start of a value's text; never renders more than a sample of it."""
    if isinstance(value, str):
        return repr(value[: _DESCRIBE_MAX + 1])
    if isinstance(value, list | tuple):
        text = json.dumps(list(value[:10]), ensure_ascii=False, default=str)
        return text[:-1] + ", …]" if len(value) > 10 else text
    if isinstance(value, Mapping):
        head = dict(itertools.islice(value.items(), 10))
        text = json.dumps(head, ensure_ascii=False, default=str)
        return text[:-1] + ", …}" if len(value) > 10 else text
    return to_text(value)


def truthy(value: Any) -> bool:
    """Whether a value counts as true in a condition, `and`, `or` and `not`.

    null and missing values, false, 0, "" and empty lists or objects are false.
    """
    if value is None or value is False or value is True:
        return value is True
    if type(value) is Undefined:
        return False
    if is_number(value):
        return bool(value != 0)
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) > 0
    return True


def to_text(value: Any) -> str:
    """How a value is drawn: null is "", 3.0 is "3", true is "true", lists join with ", "."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _int_text(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if type(value) is Undefined:
        value.fail()
    if isinstance(value, list | tuple):
        return ", ".join(to_text(item) for item in value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return to_json(value)
    return str(value)


def _int_text(value: int) -> str:
    try:
        return str(value)
    except ValueError:  # more digits than Python will print; no card shows that
        msg = "number has too many digits to write out"
        raise Fault(msg) from None


def _float_text(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    # 15 significant digits hide binary noise (0.1 + 0.2 draws "0.3") and
    # keep every decimal of up to 15 digits exactly as it was written.
    short = format(value, ".15g")
    return short if "e" not in short else str(value)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        return _float_text(float(value))
    if value == value.to_integral_value():
        return _int_text(int(value))
    return format(value.normalize(), "f")


def to_json(value: Any) -> str:
    """JSON text of a value; dates become ISO strings."""

    def fallback(item: Any) -> Any:
        if isinstance(item, datetime | date):
            return item.isoformat()
        if isinstance(item, Decimal):
            return float(item)
        if type(item) is Undefined:
            item.fail()
        msg = f"cannot write {describe(item)} as JSON"
        raise Fault(msg)

    try:
        return json.dumps(value, ensure_ascii=False, default=fallback)
    except (ValueError, RecursionError):
        msg = f"cannot write {describe(value)} as JSON"
        raise Fault(msg) from None
