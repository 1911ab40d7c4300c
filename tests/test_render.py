"""Rendering single rows through the public API: what a user sees in the pixels."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

import pictify_raster as px
from pictify_raster.errors import ErrorCode

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"


def ink_bounds(
    image: Image.Image, background: tuple[int, int, int]
) -> tuple[int, int, int, int] | None:
    """The bounding box of every pixel that differs from ``background``."""
    rgb = image.convert("RGB")
    plain = Image.new("RGB", rgb.size, background)
    from PIL import ImageChops

    return ImageChops.difference(rgb, plain).point(lambda v: 255 if v > 24 else 0).getbbox()


def test_rect_fill_and_translucent_fill_blend_with_the_background(write_layout):
    path = write_layout("""\
        size: [100, 50]
        background: "#0000ff"
        layers:
          - type: rect
            box: [0, 0, 50, 50]
            fill: "#ff0000"
          - type: rect
            box: [50, 0, 50, 50]
            fill: "#ffffff80"
        """)
    image = px.render(path, {})
    assert image.getpixel((25, 25))[:3] == (255, 0, 0)
    r, g, b = image.getpixel((75, 25))[:3]
    assert abs(r - 128) <= 2 and abs(g - 128) <= 2 and b == 255


def test_vertical_gradient_runs_from_the_first_stop_at_the_top(write_layout):
    path = write_layout("""\
        size: [100, 200]
        background: {gradient: {angle: 180, stops: ["#000000", "#ffffff"]}}
        layers: []
        """)
    image = px.render(path, {})
    top, bottom = image.getpixel((50, 1))[0], image.getpixel((50, 198))[0]
    assert top < 10 and bottom > 245
    assert abs(image.getpixel((50, 100))[0] - 128) < 12


def test_horizontal_gradient_at_90_degrees_runs_left_to_right(write_layout):
    path = write_layout("""\
        size: [200, 100]
        background: {gradient: {angle: 90, stops: ["#ff0000", "#0000ff"]}}
        layers: []
        """)
    image = px.render(path, {})
    assert image.getpixel((1, 50))[0] > 240
    assert image.getpixel((198, 50))[2] > 240


def test_ellipse_and_rounded_corners_leave_corners_empty(write_layout):
    path = write_layout("""\
        size: [200, 100]
        background: "#ffffff"
        layers:
          - type: ellipse
            box: [0, 0, 100, 100]
            fill: "#000000"
          - type: rect
            box: [100, 0, 100, 100]
            radius: 30
            fill: "#000000"
        """)
    image = px.render(path, {})
    assert image.getpixel((50, 50))[:3] == (0, 0, 0)
    assert image.getpixel((3, 3))[:3] == (255, 255, 255)
    assert image.getpixel((102, 2))[:3] == (255, 255, 255)
    assert image.getpixel((150, 50))[:3] == (0, 0, 0)


def test_line_is_drawn_between_its_points(write_layout):
    path = write_layout("""\
        size: [100, 100]
        background: "#ffffff"
        layers:
          - type: line
            start: [10, 50]
            end: [90, 50]
            width: 4
            color: "#000000"
        """)
    image = px.render(path, {})
    assert image.getpixel((50, 50))[:3] == (0, 0, 0)
    assert image.getpixel((50, 40))[:3] == (255, 255, 255)


def test_opacity_and_visible_apply_to_elements(write_layout):
    path = write_layout("""\
        size: [100, 50]
        background: "#ffffff"
        layers:
          - type: rect
            box: [0, 0, 50, 50]
            fill: "#000000"
            opacity: 0.5
          - type: rect
            box: [50, 0, 50, 50]
            fill: "#000000"
            visible: "{{ show }}"
        """)
    hidden = px.render(path, {"show": False})
    shown = px.render(path, {"show": True})
    assert abs(hidden.getpixel((25, 25))[0] - 128) <= 2
    assert hidden.getpixel((75, 25))[:3] == (255, 255, 255)
    assert shown.getpixel((75, 25))[:3] == (0, 0, 0)


def test_text_ink_stays_inside_its_box_in_every_overflow_mode(write_layout):
    long_title = "Everything you need to know about rendering before your next project " * 3
    for overflow in ("ellipsis", "shrink", "clip"):
        path = write_layout(
            f"""\
            size: [600, 300]
            background: "#ffffff"
            layers:
              - type: text
                box: [50, 40, 400, 120]
                content: "{{{{ title }}}}"
                font: {{family: Noto Sans, weight: 700, size: 40, min_size: 12}}
                max_lines: 3
                overflow: {overflow}
            """,
            name=f"{overflow}.yaml",
        )
        image = px.render(path, {"title": long_title})
        bounds = ink_bounds(image, (255, 255, 255))
        assert bounds is not None, overflow
        left, top, right, bottom = bounds
        assert left >= 50 and right <= 450, (overflow, bounds)
        assert top >= 40 - 4 and bottom <= 160 + 2, (overflow, bounds)


@pytest.mark.parametrize("overflow", ["ellipsis", "shrink", "clip"])
@pytest.mark.parametrize("valign", ["top", "middle", "bottom"])
def test_a_line_taller_than_its_box_keeps_its_ink_inside(write_layout, overflow, valign):
    path = write_layout(
        f"""\
        size: [600, 200]
        background: "#ffffff"
        layers:
          - type: text
            box: [10, 100, 580, 20]
            content: "{{{{ text }}}}"
            font: {{family: Noto Sans, size: 30, min_size: 30}}
            color: "#000000"
            valign: {valign}
            overflow: {overflow}
        """,
        name=f"{overflow}-{valign}.yaml",
    )
    image = px.render(path, {"text": "Hi there"})
    bounds = ink_bounds(image, (255, 255, 255))
    assert bounds is not None
    assert bounds[1] >= 100 and bounds[3] <= 120, bounds
    assert bounds[2] - bounds[0] < 200  # the words, and no ellipsis after them


def test_group_pill_is_sized_by_its_text(write_layout):
    path = write_layout("""\
        size: [800, 100]
        background: "#ffffff"
        layers:
          - type: group
            box: [10, 10]
            padding: [8, 16]
            fill: "#000000"
            layers:
              - type: text
                content: "{{ label }}"
                font: {family: Noto Sans, size: 24}
                color: "#ffffff"
        """)
    short = ink_bounds(px.render(path, {"label": "Go"}), (255, 255, 255))
    long = ink_bounds(px.render(path, {"label": "Engineering and design"}), (255, 255, 255))
    assert short is not None and long is not None
    assert short[0] == long[0] == 10
    assert long[2] - short[2] > 150


def test_circle_masked_image_is_round(write_layout, tmp_path):
    (tmp_path / "photo.jpg").write_bytes((LAYOUTS / "images" / "astronaut.jpg").read_bytes())
    path = write_layout("""\
        size: [120, 120]
        background: "#ffffff"
        layers:
          - type: image
            box: [10, 10, 100, 100]
            src: photo.jpg
            mask: circle
        """)
    image = px.render_bytes(path, {}, format="png")
    decoded = Image.open(io.BytesIO(image)).convert("RGB")
    assert decoded.getpixel((12, 12)) == (255, 255, 255)
    assert decoded.getpixel((108, 108)) == (255, 255, 255)
    assert decoded.getpixel((60, 60)) != (255, 255, 255)
    # The edge at the middle of each side is inside the circle.
    for x, y in ((12, 60), (107, 60), (60, 12), (60, 107)):
        assert decoded.getpixel((x, y)) != (255, 255, 255)


def test_jpeg_output_is_flattened_onto_the_background(write_layout):
    path = write_layout("""\
        size: [100, 100]
        background: "#1e293b"
        layers:
          - type: rect
            box: [10, 10, 80, 80]
            radius: 40
            fill: "#ffffff"
        """)
    data = px.render_bytes(path, {}, format="jpeg")
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGB"
    corner = image.getpixel((12, 12))
    assert all(abs(a - b) < 12 for a, b in zip(corner, (0x1E, 0x29, 0x3B), strict=True))


@pytest.mark.parametrize(
    ("row", "code", "words"),
    [
        ({}, ErrorCode.INVALID_VARIABLE, "'title'"),
        ({"title": "   "}, ErrorCode.INVALID_VARIABLE, "blank"),
        ({"title": "x" * 50}, ErrorCode.INVALID_VARIABLE, "max_length"),
        ({"title": "ok", "count": "many"}, ErrorCode.INVALID_VARIABLE, "'many'"),
        ({"title": "ok", "photo": "missing.png"}, ErrorCode.IMAGE_FETCH_FAILED, "missing.png"),
    ],
)
def test_row_faults_raise_their_code(write_layout, row, code, words):
    path = write_layout("""\
        size: [200, 100]
        variables:
          title: {type: string, required: true, max_length: 40}
          count: {type: integer, default: 1}
          photo: {type: image}
        layers:
          - type: text
            box: [0, 0, 200, 50]
            content: "{{ title }} x{{ count }}"
            font: {size: 20}
          - type: image
            box: [0, 50, 50, 50]
            src: "{{ photo }}"
            visible: "{{ photo != null }}"
        """)
    with pytest.raises(px.ItemError) as caught:
        px.render(path, row)
    assert caught.value.code == code
    assert words in caught.value.message


def test_overflow_error_raises_text_overflow_naming_the_layer(write_layout):
    path = write_layout("""\
        size: [300, 100]
        layers:
          - type: text
            box: [0, 0, 100, 30]
            content: "{{ title }}"
            font: {size: 24}
            max_lines: 1
            overflow: error
        """)
    with pytest.raises(px.TextOverflowError) as caught:
        px.render(path, {"title": "far too long to fit on one short line"})
    assert caught.value.code == ErrorCode.TEXT_OVERFLOW
    assert "layers[0]" in caught.value.message


def test_expression_error_fails_the_row_with_the_field(write_layout):
    path = write_layout("""\
        size: [300, 100]
        layers:
          - type: text
            box: [0, 0, 300, 30]
            content: "{{ price / 2 }}"
        """)
    with pytest.raises(px.ExpressionError) as caught:
        px.render(path, {"price": "cheap"})
    assert caught.value.code == ErrorCode.EXPRESSION_ERROR
    assert caught.value.field == "layers[0].content"


def test_values_from_data_are_drawn_literally_never_evaluated(write_layout):
    path = write_layout("""\
        size: [600, 60]
        background: "#ffffff"
        layers:
          - type: text
            box: [0, 0, 600, 60]
            content: "{{ title }}"
            font: {size: 20}
        """)
    reference = px.render(path, {"title": "{{ 1 + 1 }} {0} %s"})
    evaluated = px.render(path, {"title": "2 {0} %s"})
    assert reference.tobytes() != evaluated.tobytes()


def test_static_layers_are_reused_but_rows_still_differ(write_layout):
    path = write_layout("""\
        size: [300, 100]
        background: {gradient: {angle: 90, stops: ["#000000", "#ffffff"]}}
        layers:
          - type: rect
            box: [10, 10, 280, 80]
            fill: "#ffffffcc"
          - type: text
            box: [20, 20, 260, 60]
            content: "{{ title }}"
            font: {size: 30}
          - type: rect
            box: [0, 90, 300, 10]
            fill: "#ff0000"
        """)
    layout = px.load_layout(path)
    first = px.render(layout, {"title": "One"})
    second = px.render(layout, {"title": "Two"})
    again = px.render(layout, {"title": "One"})
    assert first.tobytes() == again.tobytes()
    assert first.tobytes() != second.tobytes()
    assert first.getpixel((150, 95))[:3] == (255, 0, 0)


def test_output_filename_is_evaluated_per_row(write_layout):
    from pictify_raster.draw import Renderer

    path = write_layout("""\
        size: [10, 10]
        output: {filename: "card-{{ slug }}"}
        layers: []
        """)
    result = Renderer(px.load_layout(path)).render({"slug": "hello"})
    assert result.filename == "card-hello"


def test_example_layouts_render_their_sample_rows():
    from pictify_raster.rows import read_rows

    samples = {
        "blog_card": "blog_posts.json",
        "certificate": "attendees.csv",
        "product_card": "products.jsonl",
        "pypi_card": "pypi_top_1000.csv",
    }
    for name, data in samples.items():
        layout = px.load_layout(LAYOUTS / f"{name}.yaml")
        for index, row in enumerate(read_rows(LAYOUTS / "data" / data)):
            if index >= 8:
                break
            image = px.render(layout, row)
            assert image.size == layout.size


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"size": 1e9, "width": 100}, "font size"),
        ({"size": 20, "width": 1e12}, "beyond"),
        ({"size": 20, "width": -5}, "negative size"),
    ],
)
def test_out_of_range_numbers_from_data_fail_the_row_naming_the_field(write_layout, variables, words):
    path = write_layout("""\
        size: [200, 100]
        layers:
          - type: text
            box: "{{ [0, 0, width, 50] }}"
            content: hello
            font: {size: "{{ size }}"}
        """)
    with pytest.raises(px.ExpressionError) as caught:
        px.render(path, variables)
    assert words in caught.value.message
    assert caught.value.field is not None and caught.value.field.startswith("layers[0]")


@pytest.mark.parametrize("fallback", ["hide", "backup.jpg"])
def test_image_fallback_completes_with_a_warning_saying_why(write_layout, tmp_path, fallback):
    from pictify_raster.draw import Renderer

    (tmp_path / "backup.jpg").write_bytes((LAYOUTS / "images" / "coffee.jpg").read_bytes())
    path = write_layout(f"""\
        size: [120, 120]
        background: "#ffffff"
        layers:
          - type: image
            box: [10, 10, 100, 100]
            src: "{{{{ photo }}}}"
            fallback: {fallback}
        """)
    result = Renderer(px.load_layout(path)).render({"photo": "gone.jpg"})
    assert [warning.code for warning in result.warnings] == ["IMAGE_FALLBACK"]
    assert "gone.jpg" in result.warnings[0].message
    centre = result.image.getpixel((60, 60))[:3]
    if fallback == "hide":
        assert centre == (255, 255, 255)
    else:
        assert centre != (255, 255, 255)


# -- elements far larger than the canvas ------------------------------------


def test_a_literal_box_too_large_to_draw_refuses_the_layout(write_layout):
    path = write_layout("""\
        size: [200, 200]
        background: "#ffffff"
        layers:
          - type: rect
            box: [-45000, -45000, 90000, 90000]
            radius: 50
            fill: "#ff000080"
        """)
    with pytest.raises(px.LayoutError) as caught:
        px.render(path, {})
    assert caught.value.path == "layers[0].box"
    assert "90,000x90,000" in str(caught.value) and "pixels" in str(caught.value)


@pytest.mark.parametrize(
    "layer",
    [
        ["type: rect", 'box: "{{ [0, 0, w, w] }}"', 'fill: "#ff0000"'],
        ["type: ellipse", 'box: "{{ [0, 0, w, w] }}"', 'fill: "#ff0000"', "rotate: 10"],
        ["type: image", 'box: "{{ [0, 0, w, w] }}"', "src: badge.png", "fit: cover"],
        ["type: group", "box: [0, 0]", 'padding: "{{ w }}"', 'fill: "#ff0000"',
         "layers: [{type: text, content: hi}]"],
    ],
    ids=["rect", "rotated ellipse", "image", "group padding"],
)
def test_a_box_from_data_too_large_to_draw_fails_only_its_row(write_layout, layer):
    path = write_layout(
        'size: [200, 200]\nbackground: "#ffffff"\nlayers:\n  - '
        + "\n    ".join(layer)
        + "\n"
    )
    Image.new("RGB", (40, 40), "#00ff00").save(path.parent / "badge.png")
    assert px.render(path, {"w": 50}).size == (200, 200)
    with pytest.raises(px.ExpressionError) as caught:
        px.render(path, {"w": 90000})
    assert caught.value.field == "layers[0].box"
    assert "above the 4,000,000" in caught.value.message


def test_shapes_and_lines_well_past_the_canvas_still_draw(write_layout):
    path = write_layout("""\
        size: [300, 200]
        background: "#ffffff"
        layers:
          - type: ellipse
            box: [-1300, -1800, 2000, 2000]
            fill: "#0000ff"
          - type: line
            start: [-90000, 150]
            end: [90000, 150]
            width: 4
            color: "#ff0000"
        """)
    image = px.render(path, {}).convert("RGB")
    assert image.getpixel((10, 10)) == (0, 0, 255)  # inside the big circle
    assert image.getpixel((290, 190)) == (255, 255, 255)  # outside it
    assert image.getpixel((150, 150)) == (255, 0, 0)  # the clipped line
