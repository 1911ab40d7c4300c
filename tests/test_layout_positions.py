"""An expression refused at load is placed at its line and column in the file.

The report reads ``file:line:column: path: reason`` with the expression and a
caret under the fault. Columns are 1-based and count from the start of the
file's line, through quotes and escapes. Where YAML folds a value over lines
the column in the file cannot be known: the line is the value's first and
the message says where the fault is within the value.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import pictify_raster as px
from pictify_raster.errors import ErrorCode, LayoutError

HEAD = "size: [300, 200]\nlayers:\n  - type: text\n    box: [0, 0, 100, 20]\n"


def refused(write_layout: Callable[[str], Path], text: str) -> LayoutError:
    path = write_layout(text)
    with pytest.raises(LayoutError) as caught:
        px.load_layout(path)
    return caught.value


def fault_at(text: str, marker: str) -> tuple[int, int]:
    """The 1-based line and column of the first ``marker`` in ``text``."""
    index = text.index(marker)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


@pytest.mark.parametrize(
    ("value", "marker", "reason"),
    [
        ('"Hello {{ name | }}"', "}}", "expected a filter name after '|', found '}}'"),
        ("Plain {{ a * * 2 }}", "* 2", "expected a value, found '*'"),
        ("'It''s {{ a ** 2 }}'", "**", "unexpected '**'; use '*' (there is no power operator)"),
        ('"\\u00e9\\t\\"{{ a | uper }}"', "uper", "unknown filter 'uper' (did you mean 'upper'?)"),
        ('"{{ 😀 }}"', "😀", "unexpected character '😀'"),
        ("'{{ \"{{\" }}{{ a + ]}}'", "]}}", "expected a value, found ']'"),
        ('"Hello\\n{{ a | lowr }}"', "lowr", "unknown filter 'lowr' (did you mean 'lower'?)"),
    ],
)
def test_a_syntax_error_gives_the_line_and_column_in_the_file(
    write_layout: Callable[[str], Path], value: str, marker: str, reason: str
) -> None:
    text = HEAD + f"    content: {value}\n"
    error = refused(write_layout, text)
    line, column = fault_at(text, marker)
    assert error.code is ErrorCode.EXPRESSION_ERROR
    assert error.path == "layers[0].content"
    assert (error.line, error.column) == (line, column)
    assert error.reason == f"the expression does not parse: {reason}"
    first = str(error).splitlines()[0]
    assert first.endswith(f":{line}:{column}: layers[0].content: {error.reason}")
    assert "syntax error at column" not in str(error)
    assert str(error).splitlines()[-1].strip() == "^"


def test_an_expression_inside_a_list_is_placed_at_its_item(
    write_layout: Callable[[str], Path],
) -> None:
    text = (
        HEAD.replace("box: [0, 0, 100, 20]", 'box: [0, "{{ y + }}", 100, 20]') + "    content: hi\n"
    )
    error = refused(write_layout, text)
    assert error.path == "layers[0].box[1]"
    assert (error.line, error.column) == fault_at(text, "}}")


def test_a_nested_mapping_value_and_the_output_filename_are_placed(
    write_layout: Callable[[str], Path],
) -> None:
    text = HEAD + '    content: hi\n    font: {size: "{{ 1 + }}"}\n'
    error = refused(write_layout, text)
    assert error.path == "layers[0].font.size"
    assert (error.line, error.column) == fault_at(text, "}}")

    text = HEAD + '    content: hi\noutput: {filename: "card-{{ slug | }}"}\n'
    error = refused(write_layout, text)
    assert error.path == "output.filename"
    assert (error.line, error.column) == fault_at(text, "}}")


def test_a_literal_block_is_placed_on_its_own_line(write_layout: Callable[[str], Path]) -> None:
    text = HEAD + "    content: |\n      Hello\n        {{ a | lowr }}\n"
    error = refused(write_layout, text)
    assert (error.line, error.column) == fault_at(text, "lowr")
    assert "within the value" not in error.reason


@pytest.mark.parametrize(
    ("value", "place"),
    [
        (">\n      Hello\n      {{ a | lowr }}\n", "at column 14 within the value"),
        ('"Hello\n      {{ a | lowr }}"\n', "at column 14 within the value"),
        ("Hello\n      {{ a | lowr }}\n", "at column 14 within the value"),
        (">\n      Hello\n\n      {{ a | lowr }}\n", "at line 2, column 8 within the value"),
    ],
)
def test_a_folded_value_falls_back_to_its_first_line_and_says_where_within_it(
    write_layout: Callable[[str], Path], value: str, place: str
) -> None:
    error = refused(write_layout, HEAD + f"    content: {value}")
    assert error.line == 5
    assert error.column is None
    assert error.reason == (
        f"the expression does not parse: unknown filter 'lowr' (did you mean 'lower'?) ({place})"
    )
    assert str(error).splitlines()[0].split(": ")[0].endswith(".yaml:5")


def test_an_expression_failing_at_load_says_so_and_is_placed(
    write_layout: Callable[[str], Path],
) -> None:
    text = HEAD + '    content: "{{ 1 / 0 }}"\n'
    error = refused(write_layout, text)
    assert error.reason.startswith("the expression fails: division by zero")
    assert (error.line, error.column) == fault_at(text, "/ 0")


def test_an_undeclared_name_is_placed_at_the_very_value(
    write_layout: Callable[[str], Path],
) -> None:
    text = """\
        size: [300, 200]
        variables:
          title: {type: string}
        layers:
          - type: text
            box: [0, 0, 100, 20]
            content: "{{ title }}"
          - type: group
            box: [10, 10]
            layers:
              - type: text
                content: "{{ title }}"
              - type: text
                content: "{{ 'x' + titel }}"
        """
    error = refused(write_layout, text)
    assert error.code is ErrorCode.EXPRESSION_ERROR
    assert error.path == "layers[1].layers[1].content"
    written = Path(error.file or "").read_text(encoding="utf-8")
    assert (error.line, error.column) == fault_at(written, "titel")
    assert "did you mean 'title'?" in error.reason
