"""Decoding: formats, modes, orientation, animation, limits and broken files."""

from __future__ import annotations

import base64
import io
import struct
import time
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageFile, features

from pictify_raster.errors import ErrorCode, ImageFetchError
from pictify_raster.fetch import FetchSettings, ImageLoader
from pictify_raster.fetch.sniff import sniff

DATA = Path(__file__).parent / "data" / "images"


def load(name: str, **settings: object) -> Image.Image:
    return ImageLoader(FetchSettings(**settings)).load(name, base_dir=DATA)  # type: ignore[arg-type]


def load_bytes(data: bytes) -> Image.Image:
    return ImageLoader().load("data:;base64," + base64.b64encode(data).decode())


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def refusal(name: str, **settings: object) -> str:
    with pytest.raises(ImageFetchError) as caught:
        load(name, **settings)
    assert caught.value.code is ErrorCode.IMAGE_FETCH_FAILED
    return caught.value.message


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def test_exif_orientation_is_applied() -> None:
    """C14: stored 120x80 with a red bar on the left, Orientation 6."""
    image = load("exif_orientation_6.jpg")
    assert image.size == (80, 120)
    assert near(image.getpixel((40, 2)), (220, 0, 0))  # red bar along the top
    assert not near(image.getpixel((40, 110)), (220, 0, 0))
    assert "exif" not in image.info


def test_exif_orientation_before_cover_fit() -> None:
    """C14: in a 200x300 cover box the red bar is still along the top."""
    fitted = ImageLoader().load_fitted("exif_orientation_6.jpg", (200, 300), "cover", base_dir=DATA)
    assert fitted.size == (200, 300)
    assert near(fitted.getpixel((100, 3)), (220, 0, 0, 255))
    assert not near(fitted.getpixel((100, 290))[:3], (220, 0, 0))


def test_cmyk_adobe_swatches() -> None:
    """C13: inverted Adobe CMYK decodes to the right colours, as RGB, no CMYK profile."""
    image = load("cmyk_adobe.jpg")
    assert image.mode == "RGB"
    assert "icc_profile" not in image.info
    swatches = {12: (255, 0, 0), 36: (0, 160, 0), 60: (0, 0, 255), 84: (0, 0, 0)}
    for x, color in swatches.items():
        assert near(image.getpixel((x, 32)), color), (x, image.getpixel((x, 32)))
    assert near(image.getpixel((1, 1)), (255, 255, 255), 10)


def test_cmyk_in_a_circle_mask_composites() -> None:
    """C13: converted before masking, so compositing on an RGBA canvas works."""
    fitted = ImageLoader().load_fitted(
        "cmyk_adobe.jpg", (64, 64), "cover", mask="circle", base_dir=DATA
    )
    canvas = Image.new("RGBA", (64, 64), (255, 255, 255, 255))
    canvas.alpha_composite(fitted)
    assert fitted.getpixel((0, 0))[3] == 0


@pytest.mark.parametrize("fmt", ["JPEG", "TIFF"])
def test_cmyk_with_and_without_adobe_inversion(fmt: str) -> None:
    """Pillow writes CMYK JPEGs with an inverting Adobe marker, TIFFs without."""
    red = Image.new("CMYK", (8, 8), (0, 255, 255, 0))
    decoded = load_bytes(encoded(red, fmt))
    assert decoded.mode == "RGB"
    assert near(decoded.getpixel((4, 4)), (255, 0, 0), 10)


def swapped_primaries_profile() -> bytes:
    """An RGB ICC profile whose red and green primaries are swapped (not sRGB)."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {}
    for index in range(count):
        start = 132 + 12 * index
        entries[bytes(data[start : start + 4])] = start
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    data[red + 4 : red + 12], data[green + 4 : green + 12] = (
        data[green + 4 : green + 12],
        data[red + 4 : red + 12],
    )
    return bytes(data).replace("sRGB".encode("utf-16-be"), "wide".encode("utf-16-be"))


def test_embedded_rgb_profile_is_converted_to_srgb() -> None:
    """Colour management: pixels are read through their ICC profile."""
    image = Image.new("RGB", (4, 4), (255, 0, 0))
    decoded = load_bytes(encoded(image, "PNG", icc_profile=swapped_primaries_profile()))
    red, green, _blue = decoded.getpixel((1, 1))
    assert green > 200
    assert red < 60
    assert "icc_profile" not in decoded.info


def test_broken_profile_falls_back_to_plain_conversion() -> None:
    image = Image.new("RGB", (4, 4), (255, 0, 0))
    decoded = load_bytes(encoded(image, "PNG", icc_profile=b"not a profile at all"))
    assert decoded.getpixel((1, 1)) == (255, 0, 0)


@pytest.mark.parametrize("name", ["anim_transparent.gif", "anim_alpha.webp"])
def test_animated_first_frame_keeps_transparency(name: str) -> None:
    """C17: the first frame, as RGBA, transparent where the frame is."""
    image = load(name)
    assert image.mode == "RGBA"
    assert image.size == (48, 48)
    assert image.getpixel((40, 24))[3] == 0
    assert image.getpixel((8, 24))[3] == 255
    assert image.getpixel((8, 24))[:3] != (0, 0, 0)
    background = Image.new("RGBA", image.size, (0, 200, 0, 255))
    background.alpha_composite(image)
    assert background.getpixel((40, 24)) == (0, 200, 0, 255)  # background, not black


def test_truncated_jpeg() -> None:
    """C18: a JPEG cut to 55 % fails with a reason; no global flag is set."""
    assert "truncated image data" in refusal("truncated.jpg")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_empty_file() -> None:
    """C18: a 0-byte PNG."""
    assert refusal("empty.png").startswith("empty file")


def test_bomb_header_is_refused_before_decoding() -> None:
    """C24: a 274-byte PNG claiming 50000x50000."""
    assert refusal("bomb_50k_header.png").startswith("image too large: 50000×50000")
    assert Image.MAX_IMAGE_PIXELS is not None


def test_valid_100_megapixel_bitmap_is_refused_quickly() -> None:
    """C24: 10000x10000 1-bit is refused from the header at the 40 Mpx default."""
    started = time.monotonic()
    message = refusal("bomb_100mp_1bit.png")
    assert message.startswith("image too large: 10000×10000")
    assert "limit 40,000,000" in message
    assert time.monotonic() - started < 1.0


def test_pixel_limit_is_a_setting() -> None:
    assert "image too large: 96×64" in refusal("cmyk_adobe.jpg", max_pixels=1000)


def test_html_file_is_not_an_image() -> None:
    assert refusal("not_an_image.png").startswith("received HTML, not an image")


def test_svg_is_refused_clearly() -> None:
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    with pytest.raises(ImageFetchError, match="SVG is not supported"):
        load_bytes(svg)


def test_unknown_bytes_are_refused() -> None:
    with pytest.raises(ImageFetchError, match="unsupported format"):
        load_bytes(b"\x00\x01\x02\x03 definitely not an image")


def test_palette_with_transparency_becomes_rgba() -> None:
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    decoded = load_bytes(encoded(image, "PNG", transparency=0))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((0, 0))[3] == 0
    assert decoded.getpixel((1, 1)) == (255, 0, 0, 255)


def test_palette_without_transparency_becomes_rgb() -> None:
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    assert load_bytes(encoded(image, "PNG")).getpixel((1, 1)) == (0, 0, 255)


def test_rgb_colour_key_becomes_transparency() -> None:
    image = Image.new("RGB", (4, 4), (9, 9, 9))
    image.putpixel((0, 0), (1, 2, 3))
    decoded = load_bytes(encoded(image, "PNG", transparency=(1, 2, 3)))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((0, 0))[3] == 0
    assert decoded.getpixel((1, 1)) == (9, 9, 9, 255)


def test_lab_tiff_is_converted() -> None:
    # Pillow's LAB bytes: L 0-255 for 0-100, a and b offset by 128.
    red = Image.new("LAB", (4, 4), (138, 208, 195))
    decoded = load_bytes(encoded(red, "TIFF"))
    assert decoded.mode == "RGB"
    assert near(decoded.getpixel((1, 1)), (255, 0, 0), 60)


def test_grey_with_alpha() -> None:
    image = Image.new("LA", (4, 4), (200, 100))
    decoded = load_bytes(encoded(image, "PNG"))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((0, 0)) == (200, 200, 200, 100)


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    image = Image.new("I;16", (3, 1))
    for x, value in enumerate((0, 32896, 65535)):
        image.putpixel((x, 0), value)
    decoded = load_bytes(encoded(image, "PNG"))
    assert decoded.mode == "RGB"
    assert [decoded.getpixel((x, 0))[0] for x in range(3)] == [0, 128, 255]


def test_float_image_is_scaled() -> None:
    image = Image.new("F", (2, 1))
    image.putpixel((0, 0), 0.0)
    image.putpixel((1, 0), 1.0)
    decoded = load_bytes(encoded(image, "TIFF"))
    assert decoded.getpixel((0, 0)) == (0, 0, 0)
    assert decoded.getpixel((1, 0)) == (255, 255, 255)


def test_32_bit_integer_image() -> None:
    image = Image.new("I", (2, 1))
    image.putpixel((0, 0), 0)
    image.putpixel((1, 0), 200)
    decoded = load_bytes(encoded(image, "TIFF"))
    assert decoded.getpixel((1, 0)) == (200, 200, 200)


def test_webp_with_alpha() -> None:
    image = Image.new("RGBA", (8, 8), (10, 20, 240, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    decoded = load_bytes(encoded(image, "WEBP", lossless=True))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((0, 0))[3] == 0
    assert decoded.getpixel((4, 4)) == (10, 20, 240, 255)


@pytest.mark.skipif(not features.check("avif"), reason="Pillow built without AVIF")
def test_avif() -> None:
    data = encoded(Image.new("RGB", (16, 16), (250, 0, 0)), "AVIF", quality=90)
    assert sniff(data) == "AVIF"
    assert near(load_bytes(data).getpixel((8, 8)), (250, 0, 0), 20)


def test_format_is_sniffed_not_taken_from_the_name(tmp_path: Path) -> None:
    (tmp_path / "photo.png").write_bytes(encoded(Image.new("RGB", (5, 5), (1, 2, 3)), "JPEG"))
    image = ImageLoader().load("photo.png", base_dir=tmp_path)
    assert image.size == (5, 5)


def test_large_jpeg_is_decoded_at_reduced_scale(tmp_path: Path) -> None:
    """JPEG draft mode: a 4000x3000 photo for a 100x100 box decodes at 1/8 scale."""
    photo = Image.new("RGB", (4000, 3000), (200, 50, 50))
    (tmp_path / "big.jpg").write_bytes(encoded(photo, "JPEG", quality=80))
    loader = ImageLoader()
    fitted = loader.load_fitted("big.jpg", (100, 100), "cover", base_dir=tmp_path)
    assert fitted.size == (100, 100)
    assert near(fitted.getpixel((50, 50)), (200, 50, 50, 255), 8)
    decoded_sizes = [image.size for image in loader._decoded.values()]
    assert decoded_sizes == [(500, 375)]


def test_load_returns_a_private_copy() -> None:
    loader = ImageLoader()
    first = loader.load("rgba_badge.png", base_dir=DATA)
    first.putpixel((0, 0), (1, 2, 3, 4))
    assert loader.load("rgba_badge.png", base_dir=DATA).getpixel((0, 0)) != (1, 2, 3, 4)
