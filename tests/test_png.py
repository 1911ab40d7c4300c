"""The fast PNG writer: valid files, exact pixels, correct CRCs and chunks."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageDraw

from pictify_raster.draw import encode_image, png
from pictify_raster.draw.png import IDAT_SIZE, encode_png


def sample(mode: str, size: tuple[int, int] = (97, 61)) -> Image.Image:
    """A picture with gradients, hard edges and translucency, in ``mode``."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for x in range(size[0]):
        draw.line([(x, 0), (x, size[1])], fill=(x * 2 % 256, 255 - x, x * 7 % 256, 128 + x % 128))
    draw.ellipse((10, 10, 60, 50), fill=(255, 0, 0, 255))
    draw.text((5, 5), "Aä", fill=(0, 0, 0, 200))
    return image.convert(mode)


def chunks(data: bytes) -> list[tuple[bytes, bytes, int]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        payload = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        found.append((kind, payload, crc))
        position += 12 + length
    return found


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA"])
def test_round_trip_through_pillow_is_pixel_exact(mode):
    image = sample(mode)
    decoded = Image.open(io.BytesIO(encode_png(image)))
    decoded.load()
    assert decoded.mode == mode
    assert decoded.size == image.size
    assert decoded.tobytes() == image.tobytes()


@pytest.mark.parametrize("level", [0, 1, 2, 3, 99, -4])
def test_every_level_decodes_to_the_same_pixels(level):
    image = sample("RGBA")
    assert Image.open(io.BytesIO(encode_png(image, level))).tobytes() == image.tobytes()


def test_every_chunk_carries_a_correct_crc_and_the_file_ends_with_iend():
    found = chunks(encode_png(sample("RGB")))
    for kind, payload, crc in found:
        assert zlib.crc32(kind + payload) == crc
    assert found[0][0] == b"IHDR"
    assert found[-1][0] == b"IEND"


def test_large_images_are_split_into_several_idat_chunks():
    noisy = Image.effect_noise((1200, 1000), 100).convert("RGB")
    data = encode_png(noisy, level=0)
    idats = [payload for kind, payload, _ in chunks(data) if kind == b"IDAT"]
    assert len(idats) > 1
    assert all(len(payload) <= IDAT_SIZE for payload in idats)
    assert Image.open(io.BytesIO(data)).tobytes() == noisy.tobytes()


def test_one_pixel_and_one_row_images():
    for size in ((1, 1), (5, 1), (1, 5)):
        image = sample("RGBA", size)
        assert Image.open(io.BytesIO(encode_png(image))).tobytes() == image.tobytes()


def test_unsupported_modes_are_refused_by_the_writer_but_encoded_through_pillow():
    palette = sample("RGB").convert("P")
    with pytest.raises(ValueError, match="'P'"):
        encode_png(palette)
    decoded = Image.open(io.BytesIO(encode_image(palette, "png")))
    assert decoded.convert("RGB").tobytes() == palette.convert("RGB").tobytes()


def test_pillow_encoder_can_be_chosen_and_gives_the_same_pixels():
    image = sample("RGBA")
    fast = Image.open(io.BytesIO(encode_image(image, "png")))
    pillow = Image.open(io.BytesIO(encode_image(image, "png", png_encoder="pillow")))
    assert fast.tobytes() == pillow.tobytes() == image.tobytes()


def test_opaque_canvas_is_written_without_alpha():
    opaque = Image.new("RGBA", (20, 10), (10, 20, 30, 255))
    assert Image.open(io.BytesIO(encode_image(opaque, "png"))).mode == "RGB"


def test_an_opaque_rgba_canvas_can_be_written_as_rgb_directly():
    image = sample("RGBA")
    image.putalpha(255)
    decoded = Image.open(io.BytesIO(encode_png(image, drop_alpha=True)))
    assert decoded.mode == "RGB"
    assert decoded.tobytes() == image.convert("RGB").tobytes()


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA"])
@pytest.mark.parametrize("size", [(1, 1), (3, 7), (1200, 630), (20000, 3)])
def test_rows_are_packed_exactly_as_pillow_packs_them(mode, size):
    # One packing call replaces tobytes; a row wider than its 64 KiB steps included.
    image = Image.effect_noise(size, 90).convert(mode)
    assert png._raw_bytes(image, mode) == image.tobytes("raw", mode)
    if mode == "RGBA":
        assert png._raw_bytes(image, "RGB") == image.tobytes("raw", "RGB")


def test_packing_falls_back_to_tobytes_if_pillow_changes_its_encoder(monkeypatch):
    image = Image.effect_noise((64, 32), 90).convert("RGB")
    one_call = 64 * 32 * 3 + 1
    original = Image._getencoder

    class Changed:
        """An encoder that no longer fills one big buffer at once."""

        def __init__(self, encoder):
            self.encoder = encoder

        def __getattr__(self, name):
            return getattr(self.encoder, name)

        def encode(self, size):
            consumed, status, data = self.encoder.encode(size)
            return (consumed, 0, data[:100]) if size == one_call else (consumed, status, data)

    monkeypatch.setattr(Image, "_getencoder", lambda *args: Changed(original(*args)))
    assert png._raw_bytes(image, "RGB") == image.tobytes()
    assert Image.open(io.BytesIO(encode_png(image))).tobytes() == image.tobytes()
