"""The errors pictify_raster raises, and the codes an item can fail with.

    PictifyError                  base of everything the library raises on purpose
    ├── LayoutError               a layout file is refused at load (path, file, line, column)
    └── ItemError                 one row cannot be rendered; carries an ErrorCode
        ├── VariableError         INVALID_VARIABLE
        ├── ExpressionError       EXPRESSION_ERROR (syntax errors carry a column)
        ├── ImageFetchError       IMAGE_FETCH_FAILED
        └── TextOverflowError     TEXT_OVERFLOW

An ItemError fails its own item and nothing else. A LayoutError refuses the
whole template before any row is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """Why an item failed (DESIGN section 4)."""

    INVALID_VARIABLE = "INVALID_VARIABLE"
    EXPRESSION_ERROR = "EXPRESSION_ERROR"
    IMAGE_FETCH_FAILED = "IMAGE_FETCH_FAILED"
    TEXT_OVERFLOW = "TEXT_OVERFLOW"
    RENDER_TIMEOUT = "RENDER_TIMEOUT"
    RENDER_FAILED = "RENDER_FAILED"
    OUTPUT_WRITE_FAILED = "OUTPUT_WRITE_FAILED"


class WarningCode(StrEnum):
    """Why an item that completed needed a substitute."""

    MISSING_GLYPHS = "MISSING_GLYPHS"
    TEXT_SHAPING_UNAVAILABLE = "TEXT_SHAPING_UNAVAILABLE"
    IMAGE_FALLBACK = "IMAGE_FALLBACK"
    IMAGE_DOWNSCALED = "IMAGE_DOWNSCALED"


@dataclass(frozen=True)
class RenderWarning:
    """A substitution made while rendering an item that still completed."""

    code: str
    message: str


@dataclass(frozen=True)
class UnreadableRow:
    """A row of input data that could not be read; it fails its own item.

    ``reason`` says where and why (``rows.jsonl:17: not valid JSON: …``);
    ``text`` is what was read, kept with the failed item.
    """

    reason: str
    text: str


class PictifyError(Exception):
    """Base class of the errors pictify_raster raises on purpose."""


class LayoutError(PictifyError, ValueError):
    """A layout file was refused when it loaded.

    ``path`` is the place inside the file (``layers[3].font.size``), ``file``
    the layout file and ``line`` and ``column`` the 1-based position in it,
    when known (a column only for a fault inside an expression). ``code`` is
    EXPRESSION_ERROR for an expression that does not parse, else None.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        code: ErrorCode | None = None,
        detail: str = "",
    ) -> None:
        self.reason = message
        self.path = path
        self.file = file
        self.line = line
        self.column = column
        self.code = code
        self.detail = detail
        super().__init__(self._describe())

    def _describe(self) -> str:
        # file:line:column, as compilers write it, so editors can jump there.
        where = self.file or "<layout>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.path:
            where += f": {self.path}"
        text = f"{where}: {self.reason}"
        if self.detail:
            text += "\n" + self.detail
        return text


class ItemError(PictifyError):
    """One row could not be rendered.

    ``field`` names what is to blame: a variable name or a layer path.
    """

    code: ErrorCode = ErrorCode.RENDER_FAILED

    def __init__(self, message: str, *, field: str | None = None, code: ErrorCode | None = None):
        if code is not None:
            self.code = code
        self.message = message
        self.field = field
        super().__init__(message)

    def locate(self, path: str, *, blame: bool = True) -> None:
        """Say which value of the layout failed: ``path`` leads the message.

        With ``blame``, ``field`` becomes ``path``; without, a field already
        set (the variable a row lacks) is kept, as that is what to correct.
        A message already led by ``path`` is not prefixed again.
        """
        if not self.message.startswith(f"{path}: "):
            self.message = f"{path}: {self.message}"
            self.args = (self.message,)
        if blame or self.field is None:
            self.field = path


class VariableError(ItemError):
    """A variable is missing, blank, of the wrong type or breaks its constraint."""

    code = ErrorCode.INVALID_VARIABLE


class ExpressionError(ItemError):
    """An expression does not parse, or fails to evaluate for a row.

    ``column`` is the 0-based offset of the fault in ``source`` when known.
    ``reason`` is set for a syntax error: the message without its column, for
    a layout to say where the fault is in its own terms (line and column of
    the file).
    """

    code = ErrorCode.EXPRESSION_ERROR

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: int | None = None,
        field: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.source = source
        self.column = column
        self.reason = reason
        super().__init__(message, field=field)

    def caret_lines(self) -> str:
        """The expression and a caret under the fault, for error reports."""
        if self.source is None or self.column is None:
            return ""
        return caret_lines(self.source, self.column)


def caret_lines(source: str, column: int) -> str:
    """``source`` and a caret under its character ``column`` (0-based)."""
    # Show only the line of a multi-line source that holds the fault.
    line_start = source.rfind("\n", 0, column) + 1
    line_end = source.find("\n", column)
    line = source[line_start : line_end if line_end >= 0 else None]
    return f"    {line}\n    {' ' * (column - line_start)}^"


class ImageFetchError(ItemError):
    """An image could not be fetched or decoded."""

    code = ErrorCode.IMAGE_FETCH_FAILED


class TextOverflowError(ItemError):
    """Text does not fit its box and the layer says ``overflow: error``."""

    code = ErrorCode.TEXT_OVERFLOW


def describe_value(value: object) -> str:
    """A value as a message names it: ``a number (5)``, ``null``, ``a list ([1, 2])``.

    Data files speak JSON, so the words are JSON's (number, text, list, object, null),
    not Python's type names; the value itself is shown, shortened.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, (int, float)):
        kind = "a number"
    elif isinstance(value, str):
        kind = "text"
    elif isinstance(value, (list, tuple)):
        kind = "a list"
    else:
        kind = f"a {type(value).__name__}"
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"{kind} ({shown})"


def not_variables(index: int, row: object) -> str:
    """Why a row that is not a mapping cannot be rendered."""
    return f"row {index} is {describe_value(row)}, not an object of variables"
