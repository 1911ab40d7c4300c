"""Loading layouts: what is accepted, and how every fault is reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import pictify_raster as px
from pictify_raster.errors import ErrorCode, LayoutError

MINIMAL = """\
size: [200, 100]
layers:
  - type: rect
    box: [0, 0, 200, 100]
    fill: "#ff0000"
"""


def refused(write_layout: Callable[[str], Path], text: str) -> LayoutError:
    path = write_layout(text)
    with pytest.raises(LayoutError) as caught:
        px.load_layout(path)
    return caught.value


def test_minimal_layout_loads_with_a_uid_from_the_file_name(write_layout):
    layout = px.load_layout(write_layout(MINIMAL, "promo_banner.yaml"))
    assert layout.uid == "tmpl_promo_banner"
    assert layout.size == (200, 100)
    assert [layer.kind for layer in layout.layers] == ["rect"]


@pytest.mark.parametrize(
    "name", ["pypi_card", "blog_card", "certificate", "product_card", "bench/card_a"]
)
def test_bundled_layouts_load(name):
    layout = px.load_layout(Path(__file__).parent.parent / "layouts" / f"{name}.yaml")
    assert layout.layers


def test_unknown_key_names_the_path_the_file_and_the_line(write_layout):
    error = refused(
        write_layout,
        """\
        size: [200, 100]
        layers:
          - type: rect
            box: [0, 0, 10, 10]
          - type: text
            box: [0, 0, 100, 20]
            content: hi
            font: {family: Noto Sans, sise: 12}
        """,
    )
    assert error.path == "layers[1].font.sise"
    assert error.line == 8
    assert error.file is not None and error.file.endswith("layout.yaml")
    assert "did you mean 'size'" in str(error)


def test_wrong_type_names_the_value(write_layout):
    error = refused(
        write_layout,
        """\
        size: [200, 100]
        layers:
          - type: text
            box: [0, 0, 100, 20]
            content: hi
            font: {size: big}
        """,
    )
    assert error.path == "layers[0].font.size"
    assert "'big'" in str(error)
    assert error.line == 6


def test_bad_colour_in_a_gradient_points_inside_the_gradient(write_layout):
    error = refused(
        write_layout,
        """\
        size: [200, 100]
        background: {gradient: {angle: 90, stops: ["#000", "not-a-colour"]}}
        layers: []
        """,
    )
    assert error.path == "background.gradient.stops[1]"
    assert "not-a-colour" in str(error)


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("layers: []\n", "", "needs 'size'"),
        ("size: [0, 10]\nlayers: []\n", "size", "1 or more"),
        (
            "size: [10, 10]\nlayers:\n  - type: star\n",
            "layers[0].type",
            "unknown element type 'star'",
        ),
        ("size: [10, 10]\nlayers:\n  - type: rect\n", "layers[0].box", "needs box"),
        (
            "size: [10, 10]\nlayers:\n  - type: text\n    box: [0, 0, 5, 5]\n",
            "layers[0]",
            "'content' is required",
        ),
        ("size: [10, 10]\nlayers:\n  - type: rect\n    box: [0, 0, 5]\n", "layers[0].box", "a box"),
        (
            "size: [10, 10]\nlayers:\n  - type: rect\n    box: [0, 0, 5, 5]\n    opacity: 2\n",
            "layers[0].opacity",
            "0 to 1",
        ),
        (
            "size: [10, 10]\nlayers:\n  - type: text\n    box: [0, 0, 5, 5]\n    content: x\n    overflow: wrap\n",
            "layers[0].overflow",
            "ellipsis, shrink, clip, error",
        ),
        (
            "size: [10, 10]\nvariables:\n  n: {type: money}\nlayers: []\n",
            "variables.n.type",
            "unknown type 'money'",
        ),
        ("size: [10, 10]\nlayers: []\nextra: 1\n", "extra", "unknown key 'extra'"),
    ],
)
def test_each_layout_fault_is_refused_with_its_path(write_layout, text, path, words):
    error = refused(write_layout, text)
    assert error.path == path
    assert words in str(error)


def test_yaml_syntax_error_gives_the_line(write_layout):
    error = refused(write_layout, "size: [10, 10]\nlayers:\n  - type: rect\n   box: [0\n")
    assert "not valid YAML" in str(error)
    assert error.line is not None


def test_duplicate_keys_are_refused(write_layout):
    error = refused(write_layout, "size: [10, 10]\nsize: [20, 20]\nlayers: []\n")
    assert "appears twice" in str(error)


def test_alias_bomb_is_refused_quickly(write_layout):
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    error = refused(write_layout, "\n".join(bomb) + "\n")
    assert "alias bomb" in str(error)


def test_oversized_file_is_refused(write_layout):
    error = refused(write_layout, "size: [10, 10]\nlayers: []\n# " + "x" * 1_100_000 + "\n")
    assert "larger than" in str(error)


def test_expression_syntax_error_is_refused_at_load_with_a_caret(write_layout):
    error = refused(
        write_layout,
        """\
        size: [200, 100]
        layers:
          - type: text
            box: [0, 0, 100, 20]
            content: "Hello {{ name | }}"
        """,
    )
    assert error.code == ErrorCode.EXPRESSION_ERROR
    assert error.path == "layers[0].content"
    assert error.line == 5
    assert "^" in str(error)


def test_undeclared_variable_is_refused_with_a_suggestion(write_layout):
    error = refused(
        write_layout,
        """\
        size: [200, 100]
        variables:
          title: {type: string}
        layers:
          - type: text
            box: [0, 0, 100, 20]
            content: "{{ titel }}"
        """,
    )
    assert error.code == ErrorCode.EXPRESSION_ERROR
    assert "did you mean 'title'" in str(error)


def test_missing_font_family_lists_the_families(write_layout):
    path = write_layout("""\
        size: [200, 100]
        layers:
          - type: text
            box: [0, 0, 100, 20]
            content: hi
            font: {family: Comic Nonexistent}
        """)
    with pytest.raises(LayoutError) as caught:
        px.render(path, {})
    assert caught.value.path == "layers[0].font.family"
    assert "Noto Sans" in str(caught.value)


def test_a_box_in_a_group_child_is_refused(write_layout):
    error = refused(
        write_layout,
        """\
        size: [200, 100]
        layers:
          - type: group
            box: [0, 0]
            layers:
              - type: rect
                box: [0, 0, 10, 10]
        """,
    )
    assert error.path == "layers[0].layers[0].box"
    assert "size" in str(error)


def test_constant_expressions_use_the_layout_locale(write_layout):
    layout = px.load_layout(write_layout("""\
        size: [10, 10]
        locale: de_DE
        layers:
          - type: text
            box: [0, 0, 10, 10]
            content: "{{ 1234.5 | number(1) }}"
        """))
    content = layout.layers[0].props["content"]
    assert content.constant == "1.234,5"


def test_yes_and_no_stay_text_as_in_yaml_1_2(write_layout):
    layout = px.load_layout(write_layout("""\
        size: [10, 10]
        layers:
          - type: text
            box: [0, 0, 10, 10]
            content: no
            visible: true
        """))
    assert layout.layers[0].props["content"].constant == "no"
    assert layout.layers[0].props["visible"].constant is True


def test_a_missing_required_variable_lists_the_columns_the_row_has(write_layout):
    path = write_layout("""\
        size: [10, 10]
        variables:
          name: {type: string, required: true}
        layers: []
        """)
    with pytest.raises(px.VariableError) as caught:
        px.render(path, {"Name": "Ada", "rank": 1})
    assert "the row has 'Name', 'rank'" in caught.value.message


def test_yaml_syntax_error_gives_the_column_and_where_the_bracket_opened(write_layout):
    text = "size: [100, 100]\nlayers:\n  - type: text\n    box: [0, 0, 100, 100\n    content: hi\n"
    error = refused(write_layout, text)
    assert (error.line, error.column) == (5, 12)
    assert "flow sequence at line 4, column 10" in str(error)
    assert ":5:12:" in str(error)
