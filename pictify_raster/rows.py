"""Reading rows of variables from CSV, a JSON array or JSON Lines.

CSV and JSON Lines are streamed. A line that cannot be read becomes an
UnreadableRow, which fails its own item with the reason and the line, so one
bad line never costs the other rows. A JSON array is parsed whole before the
batch starts, so a broken array is refused before anything is recorded.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pictify_raster.errors import PictifyError, UnreadableRow

#: Python's csv module refuses fields over 128 KiB; summaries and long texts
#: are legitimately larger. Expression limits bound what a value can do.
CSV_FIELD_LIMIT = 16 * 1024 * 1024

Row = dict[str, Any] | UnreadableRow


class DataError(PictifyError, ValueError):
    """A data file cannot be read as rows at all."""


def read_rows(source: str | Path) -> Iterator[Row]:
    """Rows from ``source`` (a path, or ``-`` for standard input).

    The format follows the file's ending (.csv, .json, .jsonl/.ndjson); for
    standard input or another ending it is guessed from the first character:
    ``[`` is a JSON array, ``{`` JSON Lines, anything else CSV. A missing file
    or a broken JSON array is reported now, before the first row is needed.
    """
    if str(source) == "-":
        stdin = sys.stdin.buffer
        kind = _guess_kind(stdin.peek(4096) if isinstance(stdin, io.BufferedReader) else b"")
        return _rows(io.TextIOWrapper(stdin, encoding="utf-8-sig", newline=""), "<stdin>", kind)

    path = Path(source)
    if not path.exists():
        msg = f"{path}: no such data file"
        raise DataError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder, not a data file"
        raise DataError(msg)
    known = _KINDS.get(path.suffix.lower())
    if known is None:
        with path.open("rb") as head:
            known = _guess_kind(head.read(4096))
    if known == "json":
        with path.open(encoding="utf-8-sig") as stream:
            return _rows(stream, str(path), known)
    return _read_file(path, known)


_KINDS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _read_file(path: Path, kind: str) -> Iterator[Row]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        yield from _rows(stream, str(path), kind)


def _guess_kind(head: bytes) -> str:
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"[": "json", b"{": "jsonl"}.get(first, "csv")


def _rows(stream: IO[str], name: str, kind: str) -> Iterator[Row]:
    if kind == "json":
        return iter(_json_array(stream, name))
    return _csv(stream, name) if kind == "csv" else _json_lines(stream, name)


def _json_array(stream: IO[str], name: str) -> list[Row]:
    try:
        data = json.load(stream)
    except json.JSONDecodeError as error:
        msg = f"{name}:{error.lineno}: not valid JSON: {error.msg}"
        raise DataError(msg) from None
    except RecursionError:
        msg = f"{name}: the JSON is nested too deeply"
        raise DataError(msg) from None
    except UnicodeDecodeError as error:
        msg = f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
        raise DataError(msg) from None
    if not isinstance(data, list):
        msg = f"{name}: expected a JSON array of objects, got a {type(data).__name__}"
        raise DataError(msg)
    return data


def _json_lines(stream: IO[str], name: str) -> Iterator[Row]:
    number = 0
    while True:
        try:
            line = stream.readline()
        except UnicodeDecodeError as error:
            msg = f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
            raise DataError(msg) from None
        if not line:
            return
        number += 1
        if line.strip():
            yield _json_line(line, name, number)


def _json_line(line: str, name: str, number: int) -> Row:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return UnreadableRow(f"{name}:{number}: not valid JSON: {error.msg}", line.rstrip("\n"))
    except RecursionError:
        return UnreadableRow(f"{name}:{number}: the JSON is nested too deeply", line[:200])
    if not isinstance(row, dict):
        reason = f"{name}:{number}: expected an object, got {type(row).__name__}"
        return UnreadableRow(reason, line.rstrip("\n"))
    return row


def _csv(stream: IO[str], name: str) -> Iterator[Row]:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    # strict: an unterminated quote is an error, not two rows silently merged.
    reader = csv.DictReader(stream, strict=True)
    try:
        for row in reader:
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
    except UnicodeDecodeError as error:
        msg = f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
        raise DataError(msg) from None
