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
    """Yield rows from ``source`` (a path, or ``-`` for standard input).

    The format follows the file's ending (.csv, .json, .jsonl/.ndjson); for
    standard input or another ending it is guessed from the first character:
    ``[`` is a JSON array, ``{`` JSON Lines, anything else CSV.
    """
    if str(source) == "-":
        yield from _read_stream(sys.stdin, "<stdin>", kind=None)
        return
    path = Path(source)
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    kind = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(path.suffix.lower())
    with path.open(encoding="utf-8-sig", newline="") as stream:
        yield from _read_stream(stream, str(path), kind)


def _read_stream(stream: IO[str], name: str, kind: str | None) -> Iterator[dict[str, Any]]:
    if kind is None:
        head = stream.read(1)
        while head and head.isspace():
            head = stream.read(1)
        kind = {"[": "json", "{": "jsonl"}.get(head, "csv")
        stream = _Prepend(head, stream)
    try:
        if kind == "csv":
            yield from csv.DictReader(stream)
        elif kind == "json":
            yield from _json_array(stream, name)
        else:
            yield from _json_lines(stream, name)
    except UnicodeDecodeError as error:
        raise DataError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise DataError(f"{name}: not valid CSV: {error}") from None


def _json_array(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    try:
        data = json.load(stream)
    except json.JSONDecodeError as error:
        raise DataError(f"{name}:{error.lineno}: not valid JSON: {error.msg}") from None
    if not isinstance(data, list):
        raise DataError(f"{name}: expected a JSON array of objects, got {type(data).__name__}")
    for index, row in enumerate(data):
        if not isinstance(row, dict):
            raise DataError(f"{name}: item {index} is {type(row).__name__}, not an object")
        yield row


def _json_lines(stream: IO[str], name: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{name}:{number}: not valid JSON: {error.msg}") from None
        if not isinstance(row, dict):
            raise DataError(f"{name}:{number}: expected an object, got {type(row).__name__}")
        yield row


class _Prepend(io.TextIOBase):
    """A text stream with one already-read piece put back in front."""

    def __init__(self, head: str, rest: IO[str]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int | None = -1) -> str:
        head, self._head = self._head, ""
        if size is None or size < 0:
            return head + self._rest.read()
        return head + self._rest.read(max(0, size - len(head)))

    def readline(self, size: int | None = -1) -> str:
        head, self._head = self._head, ""
        if "\n" in head:
            return head
        return head + self._rest.readline()

    def __iter__(self) -> Iterator[str]:
        line = self.readline()
        while line:
            yield line
            line = self.readline()
