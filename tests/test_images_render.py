"""Image layers drawn through whole layouts: the cases as a renderer sees them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

import pictify_raster as px
from pictify_raster.draw import Renderer
from pictify_raster.errors import ErrorCode, ImageFetchError

DATA = Path(__file__).parent / "data" / "images"
BACKGROUND = (0x1E, 0x29, 0x3B)


@pytest.fixture(scope="module")
def layout() -> px.Layout:
    return px.load_layout(DATA / "image_cases.yaml")


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def test_cmyk_photo_in_a_circle_as_png(layout: px.Layout) -> None:
    """C13: CMYK decoded and converted before masking; the PNG has no CMYK profile."""
    data = px.render_bytes(layout, {"photo": "cmyk_adobe.jpg"}, format="png")
    image = Image.open(io.BytesIO(data))
    assert "icc_profile" not in image.info
    rgb = image.convert("RGB")
    assert near(rgb.getpixel((12, 12)), BACKGROUND, 2)  # outside the circle
    # 96x64 covered into 96x96 (the middle two thirds, enlarged 1.5x):
    # red, green, blue and black swatches from left to right.
    assert near(rgb.getpixel((13, 58)), (255, 0, 0))
    assert near(rgb.getpixel((40, 58)), (0, 160, 0))
    assert near(rgb.getpixel((76, 58)), (0, 0, 255))
    assert near(rgb.getpixel((102, 58)), (0, 0, 0))


@pytest.mark.parametrize("name", ["anim_transparent.gif", "anim_alpha.webp"])
def test_animated_first_frame_shows_the_background(layout: px.Layout, name: str) -> None:
    """C17: transparent pixels of the first frame show the template background."""
    image = px.render(layout, {"photo": name}).convert("RGB")
    # The frame's right part is transparent: at 2x scale, x = 10 + 2 * 40.
    assert near(image.getpixel((90, 58)), BACKGROUND, 2)
    assert not near(image.getpixel((30, 58)), BACKGROUND, 30)
    assert image.getpixel((90, 58)) != (0, 0, 0)


def test_rounded_badge_flattened_to_jpeg(layout: px.Layout) -> None:
    """C20: the rounded corners show the background after JPEG encoding."""
    data = px.render_bytes(layout, {"photo": "exif_orientation_6.jpg"}, format="jpeg")
    image = Image.open(io.BytesIO(data))
    assert image.mode == "RGB"
    assert near(image.getpixel((121, 11)), BACKGROUND, 12)
    assert near(image.getpixel((128, 42)), (16, 185, 129), 30)  # the badge's green ring


def test_broken_images_fail_only_their_rows(layout: px.Layout) -> None:
    """C18: in 50 rows, the truncated and the empty file fail; 48 render."""
    renderer = Renderer(layout)
    failures: dict[int, ImageFetchError] = {}
    rendered = 0
    for index in range(50):
        photo = {17: "truncated.jpg", 33: "empty.png"}.get(index, "exif_orientation_6.jpg")
        try:
            renderer.render({"photo": photo})
            rendered += 1
        except ImageFetchError as error:
            failures[index] = error
    assert rendered == 48
    assert sorted(failures) == [17, 33]
    assert failures[17].code is ErrorCode.IMAGE_FETCH_FAILED
    assert "truncated image data" in failures[17].message
    assert "empty file" in failures[33].message
    assert failures[17].field == "layers[0].src"
    assert failures[17].message.startswith("layers[0].src: ")
