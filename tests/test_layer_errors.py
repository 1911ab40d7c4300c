"""An error while a row is drawn names the layer value that failed.

Evaluation errors fail the item with EXPRESSION_ERROR, a message led by the
layer path and property (``layers[2].content: …``), the expression and the
offending value, and ``field`` set to that path, whatever the element kind,
however deep in groups. A variable the row lacks stays INVALID_VARIABLE
blamed on the variable, the message saying which layer needed it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pictify_raster as px
from pictify_raster.errors import ErrorCode

CARD = """\
size: [300, 200]
layers:
  - type: rect
    box: [0, 0, 300, 200]
    fill: "#ffffff"
  - type: group
    box: [10, 10]
    layers:
      - type: text
        content: "{{ a / b }}"
  - type: text
    box: [0, 100, 300, 30]
    content: "{{ price | currency('USD') }}"
    visible: "{{ show.deep }}"
  - type: ellipse
    box: "{{ [0, 0, w - 2, 10] }}"
    fill: "#000000"
"""

GOOD: dict[str, Any] = {"a": 1, "b": 1, "price": 5, "show": {"deep": True}, "w": 9}


def failure(write_layout: Callable[[str], Path], text: str, row: dict[str, Any]) -> px.ItemError:
    path = write_layout(text)
    with pytest.raises(px.ItemError) as caught:
        px.render(path, row)
    return caught.value


def test_the_card_renders_when_the_row_is_good(write_layout: Callable[[str], Path]) -> None:
    assert px.render(write_layout(CARD), GOOD).size == (300, 200)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"price": "N/A"},
            "layers[2].content",
            "layers[2].content: filter 'currency': expected a number, got string 'N/A' "
            "(in \"price | currency('USD')\")",
        ),
        (
            {"b": 0},
            "layers[1].layers[0].content",
            "layers[1].layers[0].content: division by zero (number 1 / number 0) (in 'a / b')",
        ),
        (
            {"show": {}},
            "layers[2].visible",
            "layers[2].visible: show.deep is missing: show has no key 'deep' (in 'show.deep')",
        ),
        (
            {"w": "wide"},
            "layers[3].box",
            "layers[3].box: cannot subtract string 'wide' and number 2 (in '[0, 0, w - 2, 10]')",
        ),
    ],
)
def test_evaluation_errors_name_the_layer_value(
    write_layout: Callable[[str], Path], change: dict[str, Any], field: str, message: str
) -> None:
    error = failure(write_layout, CARD, {**GOOD, **change})
    assert error.code is ErrorCode.EXPRESSION_ERROR
    assert error.field == field
    assert error.message == message
    assert str(error) == message


def test_a_missing_variable_stays_blamed_on_the_variable(
    write_layout: Callable[[str], Path],
) -> None:
    row = dict(GOOD)
    del row["a"]
    error = failure(write_layout, CARD, row)
    assert error.code is ErrorCode.INVALID_VARIABLE
    assert error.field == "a"
    assert error.message == "layers[1].layers[0].content: variable 'a' is missing"


@pytest.mark.parametrize(
    ("layer", "path"),
    [
        ('type: rect\n    box: [0, 0, 10, 10]\n    fill: "{{ x * y }}"', "layers[0].fill"),
        ('type: qr\n    box: [0, 0, 80, 80]\n    data: "{{ x * y }}"', "layers[0].data"),
        (
            'type: line\n    start: [0, 0]\n    end: [10, 10]\n    color: "{{ x * y }}"',
            "layers[0].color",
        ),
        (
            'type: text\n    box: [0, 0, 90, 20]\n    content: hi\n    font: {size: "{{ x * y }}"}',
            "layers[0].font.size",
        ),
        ('type: image\n    box: [0, 0, 10, 10]\n    src: "{{ x * y }}"', "layers[0].src"),
        (
            'type: text\n    box: [0, 0, 90, 20]\n    content: "a {{ x * y }} b"',
            "layers[0].content",
        ),
    ],
)
def test_every_element_kind_names_its_value(
    write_layout: Callable[[str], Path], layer: str, path: str
) -> None:
    error = failure(
        write_layout, f"size: [100, 100]\nlayers:\n  - {layer}\n", {"x": "ab", "y": "cd"}
    )
    assert error.code is ErrorCode.EXPRESSION_ERROR
    assert error.field == path
    assert error.message == f"{path}: cannot multiply string 'ab' and string 'cd' (in 'x * y')"


def test_a_dynamic_background_names_itself(write_layout: Callable[[str], Path]) -> None:
    text = 'size: [10, 10]\nbackground: "{{ 1 / n }}"\nlayers: []\n'
    error = failure(write_layout, text, {"n": 0})
    assert error.field == "background"
    assert error.message.startswith("background: division by zero")


def test_the_output_filename_names_itself(write_layout: Callable[[str], Path]) -> None:
    text = 'size: [10, 10]\noutput: {filename: "card-{{ n / 0 }}"}\nlayers: []\n'
    error = failure(write_layout, text, {"n": 1})
    assert error.code is ErrorCode.EXPRESSION_ERROR
    assert error.field == "output.filename"
    assert error.message == "output.filename: division by zero (number 1 / number 0) (in 'n / 0')"


def test_an_image_that_cannot_be_fetched_names_the_layer_in_its_message(
    write_layout: Callable[[str], Path],
) -> None:
    text = """\
        size: [100, 100]
        layers:
          - type: rect
            box: [0, 0, 10, 10]
            fill: "#ff0000"
          - type: image
            box: [0, 0, 50, 50]
            src: "{{ photo }}"
        """
    error = failure(write_layout, text, {"photo": "missing.png"})
    assert error.code is ErrorCode.IMAGE_FETCH_FAILED
    assert error.field == "layers[1].src"
    assert error.message.startswith("layers[1].src: ")
    assert "missing.png" in error.message


def test_an_empty_image_source_names_the_layer_once(write_layout: Callable[[str], Path]) -> None:
    text = 'size: [100, 100]\nlayers:\n  - type: image\n    box: [0, 0, 9, 9]\n    src: "{{ p }}"\n'
    error = failure(write_layout, text, {"p": " "})
    assert error.field == "layers[0].src"
    assert error.message == "layers[0].src: the image source is empty"


def test_a_failed_image_with_a_fallback_warns_naming_the_layer_once(
    write_layout: Callable[[str], Path],
) -> None:
    from pictify_raster.draw import Renderer

    text = """\
        size: [100, 100]
        layers:
          - type: image
            box: [0, 0, 50, 50]
            src: "{{ photo }}"
            fallback: hide
        """
    result = Renderer(px.load_layout(write_layout(text))).render({"photo": "missing.png"})
    [warning] = result.warnings
    assert warning.message.startswith("layers[0].src: file not found")
    assert warning.message.count("layers[0]") == 1
