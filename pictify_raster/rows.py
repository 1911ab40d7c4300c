"""Reading rows of variables from CSV, a JSON array or JSON Lines, streamed."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pictify_raster.errors import PictifyError


class DataError(PictifyError, ValueError):
    """A data file cannot be read as rows."""


def read_rows(source: str | Path) -> Iterator[dict[str, Any]]:
    """Rows from ``source`` (a path, or ``-`` for standard input), read lazily.

    The format follows the file's ending (.csv, .json, .jsonl/.ndjson); for
    standard input or another ending it is guessed from the first character:
    ``[`` is a JSON array, ``{`` JSON Lines, anything else CSV. A missing file
    is reported now, not when the first row is needed.
    """
    if str(source) == "-":
        stdin = sys.stdin.buffer
        kind = _guess_kind(stdin.peek(4096) if isinstance(stdin, io.BufferedReader) else b"")
        return _read_stream(io.TextIOWrapper(stdin, encoding="utf-8-sig"), "<stdin>", kind)

    path = Path(source)
    if not path.is_file():
        msg = f"{path}: no such data file"
        raise DataError(msg)
    known = _KINDS.get(path.suffix.lower())
    if known is None:
        with path.open("rb") as head:
            known = _guess_kind(head.read(4096))
    return _read_file(path, known)


_KINDS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def _read_file(path: Path, kind: str) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        yield from _read_stream(stream, str(path), kind)


def _guess_kind(head: bytes) -> str:
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"[": "json", b"{": "jsonl"}.get(first, "csv")


def _read_stream(stream: IO[str], name: str, kind: str) -> Iterator[dict[str, Any]]:
    try:
        if kind == "csv":
            yield from csv.DictReader(stream)
        elif kind == "json":
            yield from _json_array(stream, name)
        else:
            yield from _json_lines(stream, name)
    except UnicodeDecodeError as error:
        msg = f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"
        raise DataError(msg) from None
    except csv.Error as error:
        msg = f"{name}: not valid CSV: {error}"
        raise DataError(msg) from None


def _json_array(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    try:
        data = json.load(stream)
    except json.JSONDecodeError as error:
        msg = f"{name}:{error.lineno}: not valid JSON: {error.msg}"
        raise DataError(msg) from None
    if not isinstance(data, list):
        msg = f"{name}: expected a JSON array of objects, got {type(data).__name__}"
        raise DataError(msg)
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            msg = f"{name}: item {index} is {type(row).__name__}, not an object"
            raise DataError(msg)
        yield row


def _json_lines(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            msg = f"{name}:{number}: not valid JSON: {error.msg}"
            raise DataError(msg) from None
        if not isinstance(row, dict):
            msg = f"{name}:{number}: expected an object, got {type(row).__name__}"
            raise DataError(msg)
        yield row
