"""Local paths, data: URIs and refused schemes."""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path

import pytest
from PIL import Image

from pictify_raster.errors import ErrorCode, ImageFetchError
from pictify_raster.fetch import FetchSettings, ImageLoader
from pictify_raster.fetch.files import read_local
from pictify_raster.fetch.urls import redact_url

DATA = Path(__file__).parent / "data" / "images"


def png_bytes(color: tuple[int, int, int] = (10, 200, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def layout_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "layouts"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "a.png").write_bytes(png_bytes())
    (tmp_path / "outside.png").write_bytes(png_bytes((255, 0, 0)))
    return folder


def refused(loader: ImageLoader, src: str, base_dir: Path | None = None) -> str:
    with pytest.raises(ImageFetchError) as caught:
        loader.load(src, base_dir=base_dir)
    assert caught.value.code is ErrorCode.IMAGE_FETCH_FAILED
    return caught.value.message


def test_relative_path_resolves_against_the_layout_folder(layout_dir: Path) -> None:
    image = ImageLoader().load("img/a.png", base_dir=layout_dir)
    assert image.getpixel((1, 1)) == (10, 200, 30)


def test_dot_dot_cannot_leave_the_layout_folder(layout_dir: Path) -> None:
    message = refused(ImageLoader(), "../outside.png", layout_dir)
    assert "path not allowed: ../outside.png" in message


def test_absolute_path_outside_allowed_roots_is_refused(layout_dir: Path) -> None:
    outside = layout_dir.parent / "outside.png"
    assert "path not allowed" in refused(ImageLoader(), str(outside), layout_dir)


def test_absolute_path_below_an_allowed_root_loads(layout_dir: Path) -> None:
    outside = layout_dir.parent / "outside.png"
    loader = ImageLoader(FetchSettings(allowed_roots=(layout_dir.parent,)))
    assert loader.load(str(outside), base_dir=layout_dir).getpixel((0, 0)) == (255, 0, 0)


def test_symlink_leaving_the_folder_is_refused(layout_dir: Path) -> None:
    link = layout_dir / "img" / "sneaky.png"
    link.symlink_to(layout_dir.parent / "outside.png")
    message = refused(ImageLoader(), "img/sneaky.png", layout_dir)
    assert "path not allowed: img/sneaky.png" in message


def test_symlink_inside_the_folder_is_fine(layout_dir: Path) -> None:
    (layout_dir / "alias.png").symlink_to(layout_dir / "img" / "a.png")
    assert ImageLoader().load("alias.png", base_dir=layout_dir).size == (4, 4)


def test_symlink_swapped_in_after_the_check_is_refused(layout_dir: Path) -> None:
    """The opened file's real path is checked again (no check-then-open race)."""
    link = layout_dir / "img" / "swapped.png"
    link.symlink_to(layout_dir.parent / "outside.png")
    with pytest.raises(ImageFetchError, match="outside the allowed folders"):
        read_local(link, (layout_dir.resolve(),), 1_000_000)


def test_fifo_is_refused_without_blocking(layout_dir: Path) -> None:
    os.mkfifo(layout_dir / "pipe.png")
    assert "not a regular file" in refused(ImageLoader(), "pipe.png", layout_dir)


def test_a_folder_is_refused_by_name(layout_dir: Path) -> None:
    (layout_dir / "album.png").mkdir()
    message = refused(ImageLoader(), "album.png", layout_dir)
    assert message.startswith("is a directory")
    assert "album.png" in message


def test_missing_file_is_named(layout_dir: Path) -> None:
    message = refused(ImageLoader(), "img/nope.png", layout_dir)
    assert message.startswith("file not found")
    assert "nope.png" in message


def test_edited_file_is_read_again(layout_dir: Path) -> None:
    loader = ImageLoader()
    target = layout_dir / "img" / "a.png"
    assert loader.load("img/a.png", base_dir=layout_dir).getpixel((0, 0)) == (10, 200, 30)
    target.write_bytes(png_bytes((1, 2, 3)) + b"\x00")  # different size: new cache key
    assert loader.load("img/a.png", base_dir=layout_dir).getpixel((0, 0)) == (1, 2, 3)


def test_oversized_file_is_refused(layout_dir: Path) -> None:
    loader = ImageLoader(FetchSettings(max_bytes=20))
    assert "too many bytes: file is" in refused(loader, "img/a.png", layout_dir)


@pytest.mark.parametrize(
    ("src", "scheme"),
    [("file:///etc/passwd", "file"), ("ftp://example.com/a.png", "ftp"), ("gopher://x/", "gopher")],
)
def test_other_schemes_are_refused(src: str, scheme: str) -> None:
    message = refused(ImageLoader(), src)
    assert f"unsupported URL scheme '{scheme}:'" in message


def test_base64_data_uri_loads() -> None:
    uri = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    assert ImageLoader().load(uri).getpixel((2, 2)) == (10, 200, 30)


def test_data_uri_with_a_wrong_media_type_is_sniffed() -> None:
    uri = "data:text/plain;base64," + base64.b64encode(png_bytes()).decode()
    assert ImageLoader().load(uri).size == (4, 4)


def test_malformed_and_empty_data_uris() -> None:
    loader = ImageLoader()
    assert "invalid base64" in refused(loader, "data:image/png;base64,@@@@")
    assert "no ','" in refused(loader, "data:image/png;base64")
    assert "empty body" in refused(loader, "data:image/png;base64,")


def test_data_uri_over_the_byte_limit() -> None:
    uri = "data:image/png;base64," + base64.b64encode(b"\x89PNG" + bytes(4000)).decode()
    message = refused(ImageLoader(FetchSettings(max_bytes=1000)), uri)
    assert "too many bytes: data URI exceeds the limit of 1000 bytes" in message
    assert "base64," not in message.split("(", 1)[0]


def test_empty_source() -> None:
    assert "empty image source" in refused(ImageLoader(), "   ")


def test_redact_url() -> None:
    assert redact_url("https://u:p@host/a.png?token=x&w=2") == "https://host/a.png?token=***&w=2"
    masked = redact_url("https://h/a?client_secret=1&upload_token=2&X-Amz-Signature=3&w=4")
    assert masked == "https://h/a?client_secret=***&upload_token=***&X-Amz-Signature=***&w=4"
    assert redact_url("data:image/png;base64,AAAA").startswith("data:image/png;base64,")
    assert "AAAA" not in redact_url("data:image/png;base64,AAAA")


def test_case_inputs_copied_here() -> None:
    """The handed case files live in the project; nothing reads /work/shared."""
    for name in ("cmyk_adobe.jpg", "exif_orientation_6.jpg", "anim_transparent.gif"):
        assert (DATA / name).is_file()


def test_settings_accept_strings_and_check_limits(tmp_path: Path) -> None:
    settings = FetchSettings(allowed_roots=[str(tmp_path)], cache_dir=str(tmp_path))  # type: ignore[arg-type]
    assert settings.allowed_roots == (tmp_path,)
    assert settings.cache_dir == tmp_path
    with pytest.raises(ValueError, match="total_timeout must be positive"):
        FetchSettings(total_timeout=0)
    with pytest.raises(ValueError, match="max_pixels must be at least 1"):
        FetchSettings(max_pixels=0)
