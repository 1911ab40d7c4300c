"""QR code layers through the public API: what a scanner would read in the pixels.

Each rendered code is checked two ways: a real decoder (zxing-cpp) reads it
back, and every module is compared with the matrix segno gives for the same
data, sampled at the module's centre, so a code that decodes by luck of error
correction still fails when a module is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image, ImageChops

import pictify_raster as px
from pictify_raster.errors import ErrorCode

LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"

WHITE = (255, 255, 255, 255)
BLACK = (0, 0, 0, 255)


def qr_layout(
    write_layout,
    *,
    box="[20, 10, 260, 220]",
    extra="",
    size="[300, 240]",
    background='"#ffffff"',
    data='"{{ data }}"',
):
    """A canvas with one QR layer; ``extra`` holds more keys of the layer, one a line."""
    keys = "".join(f"    {line.strip()}\n" for line in extra.splitlines() if line.strip())
    return write_layout(
        f"size: {size}\nbackground: {background}\nlayers:\n"
        f"  - type: qr\n    box: {box}\n    data: {data}\n{keys}"
    )


def expected_geometry(data: str, level: str, quiet_zone: int, box: tuple[int, int, int, int]):
    """segno's matrix for ``data`` and where the square must sit in ``box``."""
    matrix = segno.make_qr(data, error=level.lower(), boost_error=False).matrix
    modules = len(matrix) + 2 * quiet_zone
    x, y, width, height = box
    scale = min(width, height) // modules
    side = modules * scale
    return matrix, modules, scale, x + (width - side) // 2, y + (height - side) // 2


def assert_modules_match(
    image: Image.Image, data: str, box, *, level="M", quiet_zone=4, dark=BLACK, light=WHITE
):
    """Every module, quiet zone included, has the colour segno's matrix gives it."""
    matrix, modules, scale, left, top = expected_geometry(data, level, quiet_zone, box)
    assert scale >= 1
    rgba = image.convert("RGBA")
    wrong = []
    for row in range(modules):
        for column in range(modules):
            inside = (
                quiet_zone <= row < modules - quiet_zone
                and quiet_zone <= column < modules - quiet_zone
            )
            is_dark = inside and matrix[row - quiet_zone][column - quiet_zone] == 1
            centre = (left + column * scale + scale // 2, top + row * scale + scale // 2)
            if rgba.getpixel(centre) != (dark if is_dark else light):
                wrong.append((row, column))
    assert not wrong, f"{len(wrong)} modules differ from segno's matrix, first {wrong[:5]}"
    return scale, left, top, modules * scale


def decode(image: Image.Image) -> list[tuple[str, str]]:
    return [(found.text, found.ec_level) for found in zxingcpp.read_barcodes(image.convert("RGB"))]


@pytest.mark.parametrize(
    "data",
    [
        "https://example.org/verify/PCE26-0001",
        "Zoë & Jürgen — naïve café ☕ 李小龍",
        "0123456789" * 8,
        "x",
    ],
)
def test_the_rendered_code_is_segnos_matrix_and_decodes_to_the_data(write_layout, data):
    path = qr_layout(write_layout)
    image = px.render(path, {"data": data})
    assert_modules_match(image, data, (20, 10, 260, 220))
    assert decode(image) == [(data, "M")]


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
def test_error_correction_is_the_level_the_layout_names(write_layout, level):
    data = "https://example.org/a/longer/path?with=query&and=more"
    path = qr_layout(write_layout, extra=f"    error_correction: {level}\n")
    image = px.render(path, {"data": data})
    assert_modules_match(image, data, (20, 10, 260, 220), level=level)
    assert decode(image) == [(data, level)]


def test_modules_are_whole_pixels_at_the_largest_scale_that_fits(write_layout):
    data = "https://example.org/verify/PCE26-0001"
    path = qr_layout(
        write_layout, box="[7, 5, 211, 190]", size="[230, 200]", extra="    quiet_zone: 2\n"
    )
    image = px.render(path, {"data": data}).convert("RGBA")
    scale, left, top, side = assert_modules_match(image, data, (7, 5, 211, 190), quiet_zone=2)
    matrix_width = len(segno.make_qr(data, error="m", boost_error=False).matrix)
    modules = matrix_width + 4
    assert scale == 190 // modules and (scale + 1) * modules > 190  # the largest that fits
    # Crisp: inside the square each module is one flat colour, black or white, no grey.
    square = image.crop((left, top, left + side, top + side))
    assert sorted(colour for _, colour in square.getcolors()) == [BLACK, WHITE]
    for row in range(modules):
        for column in range(modules):
            cell = square.crop(
                (column * scale, row * scale, (column + 1) * scale, (row + 1) * scale)
            )
            assert len(cell.getcolors()) == 1, (row, column)


def test_the_square_is_centred_in_its_box(write_layout):
    # A blue canvas and a white quiet zone show exactly where the square lies.
    data = "centred"
    box = (30, 20, 240, 160)
    path = qr_layout(
        write_layout,
        box="[30, 20, 240, 160]",
        background='"#0000ff"',
        extra='    background: "#ffffff"\n',
    )
    image = px.render(path, {"data": data}).convert("RGBA")
    _, modules, scale, left, top = expected_geometry(data, "M", 4, box)
    side = modules * scale
    canvas = Image.new("RGB", image.size, (0, 0, 255))
    assert ImageChops.difference(image.convert("RGB"), canvas).getbbox() == (
        left,
        top,
        left + side,
        top + side,
    )
    # Centred on both axes, to the pixel (odd slack goes right and down).
    assert left - box[0] == (box[2] - side) // 2 and top - box[1] == (box[3] - side) // 2
    assert 0 <= (box[0] + box[2] - left - side) - (left - box[0]) <= 1
    assert 0 <= (box[1] + box[3] - top - side) - (top - box[1]) <= 1


def test_colour_and_background_are_drawn_and_the_default_background_is_transparent(
    write_layout,
):
    data = "https://example.org/colours"
    box = (20, 10, 260, 220)
    coloured = qr_layout(
        write_layout,
        background='"#ff0000"',
        extra='    color: "#1e3a8a"\n    background: "#fef3c7"\n',
    )
    image = px.render(coloured, {"data": data})
    assert_modules_match(
        image, data, box, dark=(0x1E, 0x3A, 0x8A, 255), light=(0xFE, 0xF3, 0xC7, 255)
    )
    assert decode(image) == [(data, "M")]

    # No background: the light modules and the quiet zone show the canvas (red) through.
    plain = qr_layout(write_layout, background='"#ff0000"', extra="")
    image = px.render(plain, {"data": data})
    assert_modules_match(image, data, box, light=(255, 0, 0, 255))

    # On a transparent canvas the light modules stay fully transparent.
    clear = qr_layout(write_layout, background="null")
    image = px.render(clear, {"data": data})
    assert_modules_match(image, data, box, light=(0, 0, 0, 0))


def test_opacity_blends_the_code_and_visible_hides_it(write_layout):
    data = "faint"
    path = qr_layout(write_layout, extra='    opacity: 0.5\n    visible: "{{ show }}"\n')
    image = px.render(path, {"data": data, "show": True})
    assert_modules_match(image, data, (20, 10, 260, 220), dark=(127, 127, 127, 255))
    hidden = px.render(path, {"data": data, "show": False}).convert("RGB")
    assert hidden.getextrema() == ((255, 255), (255, 255), (255, 255))


def test_a_rotated_code_still_decodes(write_layout):
    data = "https://example.org/turned"
    path = qr_layout(write_layout, box="[40, 20, 200, 200]", extra="    rotate: 90\n")
    image = px.render(path, {"data": data})
    assert decode(image) == [(data, "M")]
    upright = px.render(qr_layout(write_layout, box="[40, 20, 200, 200]"), {"data": data})
    assert image.tobytes() != upright.tobytes()


def test_inside_a_group_a_code_takes_size(write_layout):
    path = write_layout("""\
        size: [400, 200]
        background: "#ffffff"
        layers:
          - type: group
            box: [10, 10]
            gap: 20
            layers:
              - type: text
                content: "Scan me"
                font: {size: 20}
              - type: qr
                size: [150, 150]
                data: "{{ data }}"
        """)
    data = "https://example.org/grouped"
    image = px.render(path, {"data": data})
    assert decode(image) == [(data, "M")]
    layout = px.load_layout(path)
    assert layout.layers[0].children[1].kind == "qr"

    refused = write_layout(
        """\
        size: [400, 200]
        layers:
          - type: group
            box: [10, 10]
            layers:
              - type: qr
                box: [0, 0, 150, 150]
                data: x
        """,
        name="boxed.yaml",
    )
    with pytest.raises(px.LayoutError) as caught:
        px.load_layout(refused)
    assert caught.value.path == "layers[0].layers[0].box"


def test_a_code_without_row_values_is_static_and_drawn_into_the_base(write_layout):
    path = write_layout("""\
        size: [300, 260]
        background: "#ffffff"
        layers:
          - type: qr
            box: [20, 10, 220, 220]
            data: "https://example.org/{{ 'fixed' | upper }}"
          - type: text
            box: [0, 230, 300, 30]
            content: "{{ title }}"
            font: {size: 16}
        """)
    layout = px.load_layout(path)
    assert layout.layers[0].is_static and not layout.layers[1].is_static
    first, second = px.render(layout, {"title": "one"}), px.render(layout, {"title": "two"})
    for image in (first, second):
        assert_modules_match(image, "https://example.org/FIXED", (20, 10, 220, 220))
    assert first.crop((0, 0, 300, 230)).tobytes() == second.crop((0, 0, 300, 230)).tobytes()


# -- faults of a row ------------------------------------------------------


@pytest.mark.parametrize("value", [None, ""])
def test_empty_or_null_data_fails_the_row_with_an_expression_error(write_layout, value):
    path = qr_layout(write_layout)
    with pytest.raises(px.ItemError) as caught:
        px.render(path, {"data": value})
    assert caught.value.code == ErrorCode.EXPRESSION_ERROR
    assert caught.value.field == "layers[0].data"
    assert caught.value.message.startswith("layers[0].data: expected text to encode")
    assert repr(value) in caught.value.message
    # The next row renders as usual.
    assert decode(px.render(path, {"data": "fine"})) == [("fine", "M")]


def test_data_too_long_for_any_qr_code_fails_the_row_naming_the_value(write_layout):
    path = qr_layout(write_layout, extra="    error_correction: H\n")
    too_long = "https://example.org/" + "a" * 1300
    with pytest.raises(px.ItemError) as caught:
        px.render(path, {"data": too_long})
    error = caught.value
    assert error.code == ErrorCode.EXPRESSION_ERROR
    assert error.field == "layers[0].data"
    assert "1,320 characters do not fit in a QR code at error correction H" in error.message
    assert "1,273 bytes" in error.message and "lower error_correction" in error.message
    assert "'https://example.org/aaa" in error.message and "..." in error.message
    assert len(error.message) < 300  # the value is truncated, not repeated whole


def test_text_that_cannot_be_encoded_fails_the_row(write_layout):
    path = qr_layout(write_layout)
    with pytest.raises(px.ItemError) as caught:
        px.render(path, {"data": "lone \ud800 surrogate"})
    assert caught.value.code == ErrorCode.EXPRESSION_ERROR
    assert "cannot be encoded in a QR code" in caught.value.message


def test_a_box_too_small_for_one_pixel_per_module_fails_the_row(write_layout):
    path = qr_layout(write_layout, box="[0, 0, 60, 40]", extra="    quiet_zone: 2\n")
    # Short data fits (version 1: 21 + 4 modules in 40 pixels) ...
    assert decode(px.render(path, {"data": "ok"}).resize((600, 480), Image.Resampling.NEAREST)) == [
        ("ok", "M")
    ]
    # ... a longer one needs more modules than the box has pixels.
    with pytest.raises(px.ItemError) as caught:
        px.render(path, {"data": "https://example.org/" + "b" * 60})
    error = caught.value
    assert error.code == ErrorCode.RENDER_FAILED
    assert error.field == "layers[0]"
    assert "less than one pixel per module" in error.message
    assert "60x40-pixel box" in error.message and "'https://example.org/bbb" in error.message


# -- faults of the layout ---------------------------------------------------


def test_unknown_keys_are_refused_at_load_with_path_file_and_line(write_layout):
    path = qr_layout(write_layout, extra='    colour: "#000000"\n')
    with pytest.raises(px.LayoutError) as caught:
        px.load_layout(path)
    error = caught.value
    assert error.path == "layers[0].colour"
    assert error.file == str(path.resolve()) and error.line == 7
    assert "did you mean 'color'?" in str(error)


@pytest.mark.parametrize(
    ("extra", "where", "words"),
    [
        ("    error_correction: X\n", "layers[0].error_correction", "expected one of L, M, Q, H"),
        ("    quiet_zone: -1\n", "layers[0].quiet_zone", "from 0 to 40"),
        ("    quiet_zone: 1.5\n", "layers[0].quiet_zone", "whole number"),
        ('    background: "not a colour"\n', "layers[0].background", "expected a colour"),
    ],
)
def test_bad_values_are_refused_at_load(write_layout, extra, where, words):
    path = qr_layout(write_layout, extra=extra)
    with pytest.raises(px.LayoutError) as caught:
        px.load_layout(path)
    assert caught.value.path == where
    assert words in caught.value.reason


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (None, "layers[0]", "'data' is required"),
        ('""', "layers[0].data", "expected text to encode"),
    ],
)
def test_missing_or_empty_constant_data_is_refused_at_load(write_layout, data, where, words):
    path = write_layout(f"""\
        size: [300, 240]
        layers:
          - type: qr
            box: [0, 0, 200, 200]
            {"" if data is None else f"data: {data}"}
        """)
    with pytest.raises(px.LayoutError) as caught:
        px.load_layout(path)
    assert caught.value.path == where
    assert words in caught.value.reason


def test_a_static_code_that_cannot_be_drawn_refuses_the_layout(write_layout):
    small = qr_layout(write_layout, box="[0, 0, 20, 20]", data='"static data"')
    with pytest.raises(px.LayoutError) as caught:
        px.render(small, {})
    assert caught.value.path == "layers[0].box"
    assert caught.value.line == 5
    assert "less than one pixel per module" in caught.value.reason

    long = qr_layout(write_layout, data='"' + "z" * 3000 + '"')
    with pytest.raises(px.LayoutError) as caught:
        px.render(long, {})
    assert caught.value.path == "layers[0].data"
    assert "do not fit in a QR code" in caught.value.reason


# -- the example ------------------------------------------------------------


def test_the_certificate_carries_a_verification_code():
    row = {
        "recipient": "Ada Lovelace",
        "event": "PyCon Europe 2026",
        "date": "12 June 2026",
        "hours": 16,
        "certificate_id": "PCE26-0001",
    }
    image = px.render(LAYOUTS / "certificate.yaml", row)
    assert decode(image) == [("https://example.org/verify/PCE26-0001", "M")]
