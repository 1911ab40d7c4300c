"""Reading rows of variables from CSV, a JSON array or JSON Lines.

CSV and JSON Lines are streamed. A line that cannot be read becomes an
UnreadableRow, which fails its own item with the reason and the line, so one
bad line never costs the other rows. A JSON array is parsed whole before the
batch starts, so a broken array is refused before anything is recorded.

Text is UTF-8; a file that starts with a UTF-16 or UTF-32 byte-order mark is
decoded as such. A file that is not text in its encoding is refused whole,
naming the line, before any row is handed out: a batch of the rows above the
bad byte would be neither what the user meant nor easy to finish. Standard
input cannot be read twice, so there the error comes when the reader reaches
the bad line. Data without a single row is refused too: a batch of nothing is
a mistake (a wrong file, an empty export), not a success.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pictify_raster.errors import PictifyError, UnreadableRow, describe_value

#: Python's csv module refuses fields over 128 KiB; summaries and long texts
#: are legitimately larger. Expression limits bound what a value can do.
CSV_FIELD_LIMIT = 16 * 1024 * 1024

#: Bytes looked at to tell the encoding and the format.
HEAD_BYTES = 4096

Row = dict[str, Any] | UnreadableRow

# Longest marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DataError(PictifyError, ValueError):
    """A data file cannot be read as rows at all."""


def read_rows(source: str | Path) -> Iterator[Row]:
    """Rows from ``source`` (a path, or ``-`` for standard input).

    The format follows the file's ending (.csv, .json, .jsonl/.ndjson); for
    standard input or another ending it is guessed from the first character:
    ``[`` is a JSON array, ``{`` JSON Lines, anything else CSV. A missing
    file, a file that is not text, or a broken JSON array is reported now,
    before the first row is needed; data without rows when it runs out.
    """
    if str(source) == "-":
        return _stdin_rows()
    path = _data_file(Path(source))
    with path.open("rb") as stream:
        head = stream.read(HEAD_BYTES)
    name = str(path)
    encoding = _encoding(head, name)
    kind = _KINDS.get(path.suffix.lower()) or _guess_kind(head, encoding)
    with path.open("rb") as stream:
        for _ in _text_lines(stream, name, encoding):
            pass  # every line decodes, or DataError names the first that does not
    if kind == "json":
        return iter(_json_array(path.read_text(encoding=encoding), name))
    return _read_file(path, encoding, kind)


_KINDS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _data_file(path: Path) -> Path:
    if not path.exists():
        msg = f"{path}: no such data file"
        raise DataError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder, not a data file"
        raise DataError(msg)
    return path


def _stdin_rows() -> Iterator[Row]:
    stdin = sys.stdin.buffer
    head = stdin.peek(HEAD_BYTES) if isinstance(stdin, io.BufferedReader) else b""
    name = "<stdin>"
    encoding = _encoding(head, name)
    kind = _guess_kind(head, encoding)
    if kind == "json":
        return iter(_json_array("".join(_text_lines(stdin, name, encoding)), name))
    return _rows(_text_lines(stdin, name, encoding), name, kind)


def _read_file(path: Path, encoding: str, kind: str) -> Iterator[Row]:
    with path.open("rb") as stream:
        yield from _rows(_text_lines(stream, str(path), encoding), str(path), kind)


def _encoding(head: bytes, name: str) -> str:
    """The encoding a byte-order mark announces, else UTF-8; refuse text with NUL bytes."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return encoding
    if b"\x00" in head:
        # UTF-16 without a mark decodes as "UTF-8" full of NULs: say what it likely is.
        msg = (f"{name}: not UTF-8 text: it contains NUL bytes (UTF-16 without a "
               "byte-order mark?); save it as UTF-8")
        raise DataError(msg)
    return "utf-8"


def _guess_kind(head: bytes, encoding: str) -> str:
    text = head.decode(encoding, errors="ignore")
    first = text.lstrip("\ufeff \t\r\n")[:1]
    return {"[": "json", "{": "jsonl"}.get(first, "csv")


def _text_lines(stream: IO[bytes], name: str, encoding: str) -> Iterator[str]:
    """The lines of ``stream`` as text, ends kept, each decoded on its own.

    Decoding line by line is what lets an undecodable byte be named with its
    line. It is exact for UTF-8, where a newline byte never occurs inside a
    character; UTF-16 and UTF-32 go through an ordinary text reader.
    """
    if encoding not in {"utf-8", "utf-8-sig"}:
        yield from _wide_lines(stream, name, encoding)
        return
    for number, raw in enumerate(stream, start=1):
        line = raw[len(codecs.BOM_UTF8):] if number == 1 and encoding == "utf-8-sig" else raw
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DataError(_not_utf8(name, number, line, error)) from None


def _wide_lines(stream: IO[bytes], name: str, encoding: str) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    number = 1
    try:
        for line in text:
            yield line
            number += 1
    except UnicodeDecodeError as error:
        reason = f"not valid {encoding.upper()} text ({error.reason})"
        msg = f"{name}:{number}: {reason}; save it as UTF-8"
        raise DataError(msg) from None
    finally:
        text.detach()  # the caller owns the stream and closes it


def _not_utf8(name: str, number: int, line: bytes, error: UnicodeDecodeError) -> str:
    bad = line[error.start:error.end]
    column = len(line[:error.start].decode("utf-8")) + 1
    shown = " ".join(f"0x{byte:02X}" for byte in bad[:4])
    return (f"{name}:{number}: not UTF-8 text: byte {shown} at column {column} "
            f"({error.reason}); save the file as UTF-8 (it may be Latin-1 or Windows-1252)")


def _rows(lines: Iterable[str], name: str, kind: str) -> Iterator[Row]:
    return _csv(lines, name) if kind == "csv" else _json_lines(lines, name)


def _json_array(text: str, name: str) -> list[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"{name}:{error.lineno}: not valid JSON: {error.msg}"
        raise DataError(msg) from None
    except RecursionError:
        msg = f"{name}: the JSON is nested too deeply"
        raise DataError(msg) from None
    if not isinstance(data, list):
        msg = f"{name}: expected a JSON array of objects, got {describe_value(data)}"
        raise DataError(msg)
    if not data:
        msg = f"no rows in {name}: the JSON array is empty"
        raise DataError(msg)
    return data


def _json_lines(lines: Iterable[str], name: str) -> Iterator[Row]:
    count = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            count += 1
            yield _json_line(line, name, number)
    if count == 0:
        msg = f"no rows in {name}: it is empty"
        raise DataError(msg)


def _json_line(line: str, name: str, number: int) -> Row:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return UnreadableRow(f"{name}:{number}: not valid JSON: {error.msg}", line.rstrip("\n"))
    except RecursionError:
        return UnreadableRow(f"{name}:{number}: the JSON is nested too deeply", line[:200])
    if not isinstance(row, dict):
        reason = f"{name}:{number}: expected an object of variables, got {describe_value(row)}"
        return UnreadableRow(reason, line.rstrip("\n"))
    return row


def _csv(lines: Iterable[str], name: str) -> Iterator[Row]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    # strict: an unterminated quote is an error, not two rows silently merged.
    reader = csv.DictReader(lines, strict=True)
    count = 0
    try:
        _check_header(reader.fieldnames, name)
        for row in reader:
            count += 1
            if None in row:
                extra = row.pop(None)
                reason = f"{name}:{reader.line_num}: {len(extra)} more values than columns"
                yield UnreadableRow(reason, ",".join(str(value) for value in extra))
                continue
            yield row
    except csv.Error as error:
        # The reader cannot find where the next row starts after this; stop here.
        reason = f"{name}:{reader.line_num}: not valid CSV: {error}; reading stopped here"
        yield UnreadableRow(reason, "")
        return
    if count == 0:
        msg = f"no rows in {name}: it has a header line and nothing else"
        raise DataError(msg)


def _check_header(fields: Iterable[str] | None, name: str) -> None:
    """A header names each column once: a second ``title`` would silently replace the first."""
    if fields is None:
        msg = f"no rows in {name}: it is empty"
        raise DataError(msg)
    seen: dict[str, int] = {}
    for column, field in enumerate(fields, start=1):
        if field in seen:
            msg = (f"{name}:1: the header names the column {field!r} twice (columns "
                   f"{seen[field]} and {column}); give each column its own name")
            raise DataError(msg)
        seen[field] = column
