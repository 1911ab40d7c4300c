"""Turns expression text into tokens, each with its 0-based column.

In template mode the lexer starts just after a `{{` and stops at the first
`}}` outside a string literal, so that `{{ '}}' }}` works; columns stay
offsets into the whole template text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pictify_raster.errors import ExpressionError

from .limits import Limits


class Kind(Enum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    KEYWORD = "keyword"
    OP = "operator"
    CLOSE = "'}}'"
    END = "end of expression"


KEYWORDS = frozenset({"true", "false", "null", "and", "or", "not", "in"})

# Longest first, so that `//` wins over `/` and `??` over `?`.
OPERATORS = (
    "??", "//", "==", "!=", "<=", ">=",
    "+", "-", "*", "/", "%", "<", ">", "?", ":", "|", ".", ",", "(", ")", "[", "]",
)  # fmt: skip

# Operators from other languages, and what to write instead.
_LOOKALIKES = {
    "&&": "'and'",
    "||": "'or'",
    "!": "'not' or '!='",
    "=": "'==' to compare",
    "**": "'*' (there is no power operator)",
    "{": "'(' or '[' ('{' has no meaning inside an expression)",
    "}": "'}}' to close the expression, or ')' / ']'",
    # Typographic characters that editors and word processors substitute.
    "‘": "straight quotes ' or \"",
    "’": "straight quotes ' or \"",
    "“": "straight quotes ' or \"",
    "”": "straight quotes ' or \"",
    "−": "'-' (a hyphen-minus)",
    "×": "'*'",
    "÷": "'/'",
    "≠": "'!='",
    "≤": "'<='",
    "≥": "'>='",
}

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str  # the operator or keyword, the name, or the literal's source text
    value: object  # the number or decoded string for literals, else None
    pos: int


def describe_token(token: Token) -> str:
    """How a token is named in 'expected … found …' messages."""
    if token.kind is Kind.END:
        return "the end of the expression"
    if token.kind is Kind.CLOSE:
        return "'}}'"
    if token.kind is Kind.STRING:
        return f"string {token.text[:30]}"
    if token.kind in (Kind.NUMBER, Kind.NAME):
        return f"{token.kind.value} {token.text!r}"
    return repr(token.text)


def syntax_error(text: str, pos: int, message: str) -> ExpressionError:
    return ExpressionError(
        f"syntax error at column {pos}: {message}", source=text, column=pos, reason=message
    )


class Lexer:
    def __init__(self, text: str, start: int, *, template: bool, limits: Limits) -> None:
        self.text = text
        self.pos = start
        self.template = template
        self.limits = limits

    def tokens(self) -> list[Token]:
        """All tokens up to the end (or the closing `}}`), which is the last token."""
        out: list[Token] = []
        while True:
            token = self._next()
            out.append(token)
            if token.kind in (Kind.END, Kind.CLOSE):
                return out

    def _next(self) -> Token:
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos].isspace():
            self.pos += 1
        start = self.pos
        if start >= n:
            return Token(Kind.END, "", None, start)
        ch = text[start]
        if self.template and text.startswith("}}", start):
            self.pos += 2
            return Token(Kind.CLOSE, "}}", None, start)
        if ch.isdigit():
            return self._number()
        if ch in "'\"":
            return self._string()
        if ch.isalpha() or ch == "_":
            return self._name()
        for lookalike, advice in _LOOKALIKES.items():
            if text.startswith(lookalike, start) and not self._is_operator_at(start):
                raise syntax_error(text, start, f"unexpected {lookalike!r}; use {advice}")
        for op in OPERATORS:
            if text.startswith(op, start):
                self.pos += len(op)
                return Token(Kind.OP, op, None, start)
        raise syntax_error(text, start, f"unexpected character {ch!r}")

    def _is_operator_at(self, start: int) -> bool:
        # "!=" and "==" start like the lookalikes "!" and "=", "//" unlike "**".
        return any(self.text.startswith(op, start) for op in ("!=", "==", "<=", ">="))

    def _number(self) -> Token:
        text, start = self.text, self.pos
        end = self._digits(start)
        is_float = False
        if end + 1 < len(text) and text[end] == "." and text[end + 1].isdigit():
            end = self._digits(end + 1)
            is_float = True
        if end < len(text) and text[end] in "eE":
            after = end + 1
            if after < len(text) and text[after] in "+-":
                after += 1
            if after < len(text) and text[after].isdigit():
                end = self._digits(after)
                is_float = True
        source = text[start:end]
        if not source.isascii():
            raise syntax_error(text, start, f"{source!r} is not a number; write digits 0-9")
        self.pos = end
        if len(source) > 40:
            raise syntax_error(text, start, f"number {source[:20]}… is too long")
        value: int | float = float(source) if is_float else int(source)
        if not abs(value) <= self.limits.max_number:
            limit = self.limits.max_number
            msg = f"number {source} is larger than the limit {limit} (limit max_number)"
            raise syntax_error(text, start, msg)
        return Token(Kind.NUMBER, source, value, start)

    def _digits(self, pos: int) -> int:
        while pos < len(self.text) and self.text[pos].isdigit():
            pos += 1
        return pos

    def _string(self) -> Token:
        text, start = self.text, self.pos
        quote_char = text[start]
        pos = start + 1
        chars: list[str] = []
        while True:
            if pos >= len(text):
                raise syntax_error(text, start, f"string starting here has no closing {quote_char}")
            ch = text[pos]
            if ch == quote_char:
                break
            if ch == "\\":
                decoded, pos = self._escape(pos)
                chars.append(decoded)
                continue
            chars.append(ch)
            pos += 1
        self.pos = pos + 1
        return Token(Kind.STRING, text[start : pos + 1], "".join(chars), start)

    def _escape(self, pos: int) -> tuple[str, int]:
        """Decode the escape at `pos` (a backslash); return it and the next position."""
        text = self.text
        code = text[pos + 1 : pos + 2]
        if code in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[code], pos + 2
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = text[pos + 2 : pos + 2 + width]
            if len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                number = int(digits, 16)
                if number <= 0x10FFFF:
                    return chr(number), pos + 2 + width
            raise syntax_error(
                text,
                pos,
                f"\\{code} must be followed by {width} hexadecimal digits of a code point",
            )
        if not code:
            raise syntax_error(text, pos, "backslash at the end of the text")
        raise syntax_error(
            text, pos, f"unknown escape \\{code}; use \\n \\t \\r \\\\ \\' \\\" \\uXXXX"
        )

    def _name(self) -> Token:
        text, start = self.text, self.pos
        end = start + 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        self.pos = end
        word = text[start:end]
        kind = Kind.KEYWORD if word in KEYWORDS else Kind.NAME
        return Token(kind, word, None, start)
