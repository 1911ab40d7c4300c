"""Every example in docs/expressions.md gives the result the page shows.

Examples are the lines of ```expr blocks, written `expression  →  result`,
evaluated against the row of the page's ```json block and drawn with to_text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pictify_raster.expr import evaluate, parse, to_text

DOC = Path(__file__).resolve().parent.parent / "docs" / "expressions.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def _examples() -> list[tuple[str, str]]:
    examples = []
    for block in _blocks("expr"):
        for line in block.splitlines():
            expression, _, result = line.partition("  →")
            examples.append((expression.strip(), result.strip()))
    return examples


ROW = json.loads(_blocks("json")[0])
EXAMPLES = _examples()


@pytest.mark.parametrize(("expression", "shown"), EXAMPLES)
def test_documented_example(expression: str, shown: str) -> None:
    assert to_text(evaluate(expression, ROW)) == shown


def test_every_filter_and_function_has_an_example() -> None:
    used_filters = set()
    used_functions = set()
    for expression, _ in EXAMPLES:
        for node in _walk(parse(expression).tree):
            kind = type(node).__name__
            if kind == "Filter":
                used_filters.add(node.name)
            elif kind == "Call":
                used_functions.add(node.function)
    from pictify_raster.expr.filters import FILTERS
    from pictify_raster.expr.functions import FUNCTIONS

    assert set(FILTERS) - used_filters == set()
    assert set(FUNCTIONS) - used_functions - {"abs", "floor", "ceil"} == set()


def _walk(node: object) -> list[object]:
    nodes = [node]
    for child in node.children():  # type: ignore[attr-defined]
        nodes.extend(_walk(child))
    return nodes


def test_precedence_table_rows_hold() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| \d+ \| .*? \| `(.+?)` \| `(.+?)` \|$", text, re.M)
    assert len(rows) == 11
    for written, grouped in rows:
        left, right = written.replace("\\|", "|"), grouped.replace("\\|", "|")
        assert parse(left).tree == parse(right).tree, written
