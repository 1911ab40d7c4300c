"""draw.images: fitting into a box, masks and effects, checked pixel by pixel."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pictify_raster.draw.images import (
    apply_effects,
    apply_mask,
    fit_image,
    parse_position,
    source_size_needed,
)


def halves(size: tuple[int, int] = (200, 100)) -> Image.Image:
    """Left half red, right half blue."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    return image


def test_cover_fills_and_crops_to_the_centre() -> None:
    fitted = fit_image(halves(), (100, 100), "cover")
    assert fitted.mode == "RGBA"
    assert fitted.size == (100, 100)
    assert fitted.getpixel((5, 50)) == (255, 0, 0, 255)
    assert fitted.getpixel((95, 50)) == (0, 0, 255, 255)


@pytest.mark.parametrize(
    ("position", "color"),
    [("left", (255, 0, 0, 255)), ("right", (0, 0, 255, 255)), ((0.0, 0.5), (255, 0, 0, 255))],
)
def test_cover_position_picks_the_focal_point(
    position: str | tuple[float, float], color: tuple[int, int, int, int]
) -> None:
    fitted = fit_image(halves(), (100, 100), "cover", position)
    assert fitted.getpixel((50, 50)) == color
    assert fitted.getpixel((5, 5)) == color


def test_cover_position_is_a_focal_point() -> None:
    """(0.25, 0.5) keeps the point a quarter across the image in the centre."""
    image = Image.new("RGB", (400, 100), (0, 0, 0))
    image.paste((255, 255, 255), (98, 0, 102, 100))  # marker at x = 100 (25 %)
    fitted = fit_image(image, (100, 100), "cover", (0.25, 0.5))
    assert fitted.getpixel((50, 50))[:3] == (255, 255, 255)
    assert fitted.getpixel((10, 50))[:3] == (0, 0, 0)


def test_contain_leaves_transparent_margins() -> None:
    fitted = fit_image(halves(), (100, 100), "contain")
    assert fitted.size == (100, 100)
    assert fitted.getpixel((50, 5))[3] == 0  # margin above
    assert fitted.getpixel((10, 50)) == (255, 0, 0, 255)
    assert fitted.getpixel((90, 50)) == (0, 0, 255, 255)


def test_contain_at_the_top() -> None:
    fitted = fit_image(halves(), (100, 100), "contain", "top")
    assert fitted.getpixel((10, 10)) == (255, 0, 0, 255)
    assert fitted.getpixel((10, 90))[3] == 0


def test_fill_stretches() -> None:
    fitted = fit_image(halves(), (40, 300), "fill")
    assert fitted.size == (40, 300)
    assert fitted.getpixel((2, 290)) == (255, 0, 0, 255)
    assert fitted.getpixel((38, 5)) == (0, 0, 255, 255)


def test_none_keeps_the_scale_and_crops() -> None:
    fitted = fit_image(halves(), (50, 50), "none", "bottom left")
    assert fitted.size == (50, 50)
    assert fitted.getpixel((49, 49)) == (255, 0, 0, 255)
    small = fit_image(Image.new("RGB", (10, 10), (0, 255, 0)), (50, 50), "none", "top right")
    assert small.getpixel((45, 5)) == (0, 255, 0, 255)
    assert small.getpixel((5, 45))[3] == 0


def test_resize_does_not_darken_transparent_edges() -> None:
    """Premultiplied resize: white next to transparent black stays white."""
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((255, 255, 255, 255), (0, 0, 50, 100))
    fitted = fit_image(image, (25, 25), "fill")
    for x in range(25):
        red, _green, _blue, alpha = fitted.getpixel((x, 12))
        if alpha > 10:
            assert red >= 245, (x, fitted.getpixel((x, 12)))


def test_large_reduction_is_fast_and_smooth() -> None:
    stripes = Image.new("RGB", (4000, 3000), (0, 0, 0))
    stripes.paste((255, 255, 255), (0, 0, 4000, 1500))
    fitted = fit_image(stripes, (40, 30), "cover")
    assert fitted.getpixel((20, 5))[:3] == (255, 255, 255)
    assert fitted.getpixel((20, 25))[:3] == (0, 0, 0)


def test_unknown_fit_and_bad_sizes() -> None:
    with pytest.raises(ValueError, match="unknown fit 'stretch'"):
        fit_image(halves(), (10, 10), "stretch")
    with pytest.raises(ValueError, match="at least 1×1"):
        fit_image(halves(), (0, 10))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("center", (0.5, 0.5)),
        ("top", (0.5, 0.0)),
        ("bottom left", (0.0, 1.0)),
        ("left bottom", (0.0, 1.0)),
        ("right", (1.0, 0.5)),
        ("25% 75%", (0.25, 0.75)),
    ],
)
def test_position_keywords(text: str, expected: tuple[float, float]) -> None:
    assert parse_position(text) == expected


def test_bad_position_is_named() -> None:
    with pytest.raises(ValueError, match="'sideways'"):
        parse_position("sideways")


def test_source_size_needed_for_draft() -> None:
    assert source_size_needed((4000, 3000), (100, 100), "cover") == (134, 100)
    assert source_size_needed((4000, 3000), (100, 100), "contain") == (100, 75)
    assert source_size_needed((4000, 3000), (3000, 3000), "cover") is None
    assert source_size_needed((4000, 3000), (100, 100), "none") is None


def test_circle_mask_is_round_with_smooth_edges() -> None:
    masked = apply_mask(Image.new("RGB", (100, 100), (0, 128, 0)), "circle")
    assert masked.mode == "RGBA"
    for corner in ((0, 0), (99, 0), (0, 99), (99, 99), (10, 10)):
        assert masked.getpixel(corner)[3] == 0
    assert masked.getpixel((50, 50)) == (0, 128, 0, 255)
    for edge in ((50, 0), (0, 50), (99, 50), (50, 99)):
        assert masked.getpixel(edge)[3] > 0
    alphas = set(masked.getchannel("A").get_flattened_data())
    assert len(alphas - {0, 255}) >= 5  # anti-aliased, not a jagged 0/255 edge
    # Round, not a diamond or a square: along the diagonal the edge is at r/sqrt(2).
    assert masked.getpixel((17, 17))[3] > 200
    assert masked.getpixel((13, 13))[3] < 60


def test_circle_mask_in_a_wide_box_stays_round() -> None:
    masked = apply_mask(Image.new("RGB", (200, 100), (0, 0, 0)), "circle")
    assert masked.getpixel((100, 50))[3] == 255
    assert masked.getpixel((30, 50))[3] == 0


def test_rounded_mask() -> None:
    masked = apply_mask(Image.new("RGB", (100, 60), (9, 9, 9)), "rounded", radius=20)
    assert masked.getpixel((0, 0))[3] == 0
    assert masked.getpixel((3, 3))[3] == 0
    assert masked.getpixel((50, 0))[3] == 255
    assert masked.getpixel((0, 30))[3] == 255
    corner = masked.getchannel("A").crop((0, 0, 20, 20))
    assert len(set(corner.get_flattened_data()) - {0, 255}) >= 5  # smooth arc


def test_mask_keeps_existing_transparency_and_input_untouched() -> None:
    source = Image.new("RGBA", (40, 40), (255, 0, 0, 128))
    masked = apply_mask(source, "circle")
    assert masked.getpixel((20, 20))[3] == 128
    assert source.getpixel((0, 0))[3] == 128


def test_no_mask_returns_rgba() -> None:
    assert apply_mask(Image.new("RGB", (3, 3)), None).mode == "RGBA"


def test_unknown_mask() -> None:
    with pytest.raises(ValueError, match="unknown mask 'star'"):
        apply_mask(Image.new("RGB", (3, 3)), "star")


def test_opacity_scales_alpha() -> None:
    faded = apply_effects(Image.new("RGB", (4, 4), (10, 20, 30)), opacity=0.5)
    assert faded.getpixel((1, 1)) == (10, 20, 30, 128)


def test_grayscale_keeps_alpha() -> None:
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 100))
    grey = apply_effects(image, grayscale=True)
    red, green, blue, alpha = grey.getpixel((1, 1))
    assert red == green == blue
    assert alpha == 100


def test_blur_softens_an_edge() -> None:
    blurred = apply_effects(halves((40, 10)), blur=3)
    red, _green, blue, _alpha = blurred.getpixel((20, 5))
    assert 40 < red < 220
    assert 40 < blue < 220


def test_square_border_is_drawn_inside_the_edge() -> None:
    bordered = apply_effects(Image.new("RGB", (50, 50), (255, 255, 255)), border=(4, (0, 0, 0)))
    assert bordered.getpixel((1, 25)) == (0, 0, 0, 255)
    assert bordered.getpixel((25, 48)) == (0, 0, 0, 255)
    assert bordered.getpixel((25, 25)) == (255, 255, 255, 255)


def test_circle_border_follows_the_mask() -> None:
    avatar = apply_mask(Image.new("RGB", (100, 100), (255, 255, 255)), "circle")
    ringed = apply_effects(avatar, border=(6, (255, 0, 0, 255)), mask="circle")
    assert ringed.getpixel((50, 2))[:3] == (255, 0, 0)  # on the ring, top
    assert ringed.getpixel((2, 50))[:3] == (255, 0, 0)
    assert ringed.getpixel((50, 50)) == (255, 255, 255, 255)
    assert ringed.getpixel((3, 3))[3] == 0  # the box corner stays empty


@settings(max_examples=60, deadline=None)
@given(
    source=st.tuples(st.integers(1, 300), st.integers(1, 300)),
    box=st.tuples(st.integers(1, 300), st.integers(1, 300)),
    fit=st.sampled_from(["cover", "contain", "fill", "none"]),
    position=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    mask=st.sampled_from([None, "circle", "rounded"]),
)
def test_any_fit_gives_exactly_the_box(
    source: tuple[int, int],
    box: tuple[int, int],
    fit: str,
    position: tuple[float, float],
    mask: str | None,
) -> None:
    fitted = apply_mask(fit_image(Image.new("RGB", source), box, fit, position), mask, 12)
    assert fitted.size == box
    assert fitted.mode == "RGBA"


def test_palette_image_keeps_its_transparency_when_fitted() -> None:
    image = Image.new("P", (10, 10), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 0
    image.paste(0, (0, 0, 5, 10))
    fitted = fit_image(image, (20, 20), "fill")
    assert fitted.getpixel((2, 10))[3] == 0
    assert fitted.getpixel((17, 10)) == (255, 0, 0, 255)
