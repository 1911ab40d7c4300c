"""HTTP fetching against a real local server: errors, limits, guard, caching."""

from __future__ import annotations

import gzip
import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pictify_raster.errors import ErrorCode, ImageFetchError
from pictify_raster.fetch import FetchSettings, ImageLoader, guard, resolver
from pictify_raster.fetch.disk import CachedBody, DiskCache
from pictify_raster.fetch.http import HttpClient

DATA = Path(__file__).parent / "data" / "images"


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    # Threaded, so a trickling response cannot hold up the next test.
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.start()
    yield http
    http.clear()
    if http.is_running():
        http.stop()


@pytest.fixture(autouse=True)
def _fresh(server: HTTPServer) -> Iterator[None]:
    server.clear()
    yield
    server.clear()


def png_bytes(color: tuple[int, int, int] = (0, 128, 255), size: tuple[int, int] = (8, 6)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def loader(**overrides: object) -> ImageLoader:
    settings = {"allow_private_networks": True, "total_timeout": 5.0, **overrides}
    return ImageLoader(FetchSettings(**settings))  # type: ignore[arg-type]


def fetch_error(image_loader: ImageLoader, url: str) -> ImageFetchError:
    with pytest.raises(ImageFetchError) as caught:
        image_loader.load(url)
    assert caught.value.code is ErrorCode.IMAGE_FETCH_FAILED
    return caught.value


def test_png_over_http_loads(server: HTTPServer) -> None:
    server.expect_request("/a.png").respond_with_data(png_bytes(), content_type="image/png")
    image = loader().load(server.url_for("/a.png"))
    assert image.mode == "RGB"
    assert image.size == (8, 6)
    assert image.getpixel((3, 3)) == (0, 128, 255)


def test_image_sent_as_text_html_is_sniffed(server: HTTPServer) -> None:
    server.expect_request("/mislabelled").respond_with_data(png_bytes(), content_type="text/html")
    image = loader().load(server.url_for("/mislabelled"))
    assert image.getpixel((0, 0)) == (0, 128, 255)


def test_one_session_per_loader_is_reused(server: HTTPServer) -> None:
    server.expect_request("/a.png").respond_with_data(png_bytes(), content_type="image/png")
    server.expect_request("/b.png").respond_with_data(png_bytes(), content_type="image/png")
    image_loader = loader()
    image_loader.load(server.url_for("/a.png"))
    first = image_loader._remote.http.session()
    image_loader.load(server.url_for("/b.png"))
    assert image_loader._remote.http.session() is first


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status_is_reported(server: HTTPServer, status: int) -> None:
    server.expect_request("/missing").respond_with_data("nope", status=status)
    error = fetch_error(loader(), server.url_for("/missing"))
    assert f"HTTP {status}" in error.message
    assert server.url_for("/missing") in error.message


def test_html_page_with_200_is_refused_with_details(server: HTTPServer) -> None:
    """C21 (a): an HTML login page served as 200 text/html."""
    page = (DATA / "not_an_image.png").read_bytes()
    server.expect_request("/avatar.png").respond_with_data(
        page, content_type="text/html; charset=utf-8"
    )
    error = fetch_error(loader(), server.url_for("/avatar.png"))
    assert "received HTML, not an image" in error.message
    assert "HTTP 200" in error.message
    assert "text/html" in error.message
    assert server.url_for("/avatar.png") in error.message


def test_redirect_to_html_names_the_final_url(server: HTTPServer) -> None:
    """C21 (b): 301 to the site's HTML home page."""
    page = (DATA / "not_an_image.png").read_bytes()
    server.expect_request("/img").respond_with_data("", status=301, headers={"Location": "/home"})
    server.expect_request("/home").respond_with_data(page, content_type="text/html")
    error = fetch_error(loader(), server.url_for("/img"))
    assert "received HTML, not an image" in error.message
    assert f"final URL {server.url_for('/home')}" in error.message
    assert "HTTP 200" in error.message
    assert "Content-Type text/html" in error.message


def test_html_is_never_cached_as_the_image(server: HTTPServer, tmp_path: Path) -> None:
    page = (DATA / "not_an_image.png").read_bytes()
    server.expect_oneshot_request("/flaky").respond_with_data(page, content_type="text/html")
    image_loader = loader(cache_dir=tmp_path)
    fetch_error(image_loader, server.url_for("/flaky"))
    server.expect_request("/flaky").respond_with_data(png_bytes(), content_type="image/png")
    assert image_loader.load(server.url_for("/flaky")).size == (8, 6)
    assert len(server.log) == 2


def test_redirect_is_followed(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data("", status=302, headers={"Location": "/new"})
    server.expect_request("/new").respond_with_data(png_bytes(), content_type="image/png")
    assert loader().load(server.url_for("/old")).size == (8, 6)


def test_error_after_a_redirect_names_both_urls(server: HTTPServer) -> None:
    server.expect_request("/moved").respond_with_data("", status=301, headers={"Location": "/gone"})
    server.expect_request("/gone").respond_with_data("", status=404)
    error = fetch_error(loader(), server.url_for("/moved"))
    assert "HTTP 404" in error.message
    assert server.url_for("/moved") in error.message
    assert f"final URL {server.url_for('/gone')}" in error.message


def test_redirect_loop_is_stopped(server: HTTPServer) -> None:
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    error = fetch_error(loader(max_redirects=3), server.url_for("/a"))
    assert "too many redirects (more than 3)" in error.message
    assert len(server.log) == 4


def test_redirect_to_file_scheme_is_refused(server: HTTPServer) -> None:
    server.expect_request("/x").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    error = fetch_error(loader(), server.url_for("/x"))
    assert "unsupported URL scheme 'file:'" in error.message


def test_loopback_refused_and_nothing_sent(server: HTTPServer) -> None:
    server.expect_request("/a.png").respond_with_data(png_bytes(), content_type="image/png")
    error = fetch_error(loader(allow_private_networks=False), server.url_for("/a.png"))
    assert "blocked address" in error.message
    assert "loopback address 127.0.0.1" in error.message
    assert server.log == []


def test_guarded_connection_refuses_even_without_the_precheck(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection itself checks the address it connects to (no DNS rebinding)."""
    server.expect_request("/a.png").respond_with_data(png_bytes(), content_type="image/png")
    monkeypatch.setattr(HttpClient, "_check_target", lambda self, url, where, deadline: None)
    error = fetch_error(loader(allow_private_networks=False), server.url_for("/a.png"))
    assert "blocked address" in error.message
    assert server.log == []


def test_redirect_to_metadata_address_is_refused(
    server: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each redirect hop is checked: a public image host (here the test server,
    treated as public) redirecting to the cloud metadata address is refused."""
    original = guard.address_kind
    monkeypatch.setattr(
        guard,
        "address_kind",
        lambda address: None if str(address) == "127.0.0.1" else original(address),
    )
    server.expect_request("/avatar").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    error = fetch_error(loader(allow_private_networks=False), server.url_for("/avatar"))
    assert "blocked address" in error.message
    assert "link-local address 169.254.169.254" in error.message
    assert len(server.log) == 1


def _trickle(_request: Request) -> Response:
    def body() -> Iterator[bytes]:
        for _ in range(50_000):
            time.sleep(0.25)
            yield b"x"

    return Response(body(), headers={"Content-Type": "image/png", "Content-Length": "50000"})


def test_slow_trickle_hits_the_total_deadline(server: HTTPServer) -> None:
    """C23: one byte at a time never trips a per-read time-out; the deadline does."""
    server.expect_request("/slow.png").respond_with_handler(_trickle)
    started = time.monotonic()
    error = fetch_error(loader(total_timeout=1.5), server.url_for("/slow.png"))
    elapsed = time.monotonic() - started
    assert "timed out after 1.5 s" in error.message
    assert elapsed < 3.0


@pytest.fixture
def header_trickler() -> Iterator[str]:
    """A raw server that sends a status line, then one header byte every 0.2 s."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        conn, _address = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.wait(0.2):
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/slow-headers.png"
    stop.set()
    listener.close()
    thread.join(2)


def test_trickled_headers_hit_the_total_deadline(header_trickler: str) -> None:
    """C23 variant: per-receive time-outs never fire while headers trickle in."""
    started = time.monotonic()
    error = fetch_error(loader(total_timeout=1.0), header_trickler)
    assert "timed out after 1 s" in error.message
    assert time.monotonic() - started < 2.5


@pytest.fixture
def short_body_server() -> Iterator[str]:
    """A raw server that promises 5000 bytes, sends 300 and hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        conn, _address = listener.accept()
        with conn:
            conn.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n"
            conn.sendall(head + png_bytes(size=(300, 300))[:300])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/short.png"
    listener.close()
    thread.join(2)


def test_body_shorter_than_its_length_is_truncated(short_body_server: str) -> None:
    error = fetch_error(loader(), short_body_server)
    assert "truncated response body (connection closed after 300 bytes)" in error.message


def test_declared_huge_body_is_refused(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data(b"\x89PNG" + b"0" * 20_000)
    error = fetch_error(loader(max_bytes=10_000), server.url_for("/big"))
    assert "too many bytes" in error.message
    assert "10000" in error.message


def test_streamed_huge_body_is_stopped_at_the_limit(server: HTTPServer) -> None:
    def endless(_request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(1_000):
                yield b"\x00" * 4096

        return Response(body(), content_type="image/png")  # chunked, no length

    server.expect_request("/endless").respond_with_handler(endless)
    error = fetch_error(loader(max_bytes=50_000), server.url_for("/endless"))
    assert "too many bytes: body exceeds the limit of 50000 bytes" in error.message


def test_gzip_encoded_body_is_decoded(server: HTTPServer) -> None:
    server.expect_request("/zipped.png").respond_with_data(
        gzip.compress(png_bytes()),
        content_type="image/png",
        headers={"Content-Encoding": "gzip"},
    )
    assert loader().load(server.url_for("/zipped.png")).size == (8, 6)


def test_gzip_bomb_is_stopped_at_the_limit(server: HTTPServer) -> None:
    """The limit counts decoded bytes: 10 MB of zeros sent as 10 kB of gzip."""
    bomb = gzip.compress(b"\x89PNG" + bytes(10_000_000))
    server.expect_request("/bomb.png").respond_with_data(
        bomb, content_type="image/png", headers={"Content-Encoding": "gzip"}
    )
    error = fetch_error(loader(max_bytes=100_000), server.url_for("/bomb.png"))
    assert "too many bytes: body exceeds the limit of 100000 bytes" in error.message


def test_huge_dimensions_over_http(server: HTTPServer) -> None:
    """C24 over HTTP: refused from the header alone."""
    bomb = (DATA / "bomb_50k_header.png").read_bytes()
    server.expect_request("/bomb.png").respond_with_data(bomb, content_type="image/png")
    error = fetch_error(loader(), server.url_for("/bomb.png"))
    assert "image too large: 50000×50000" in error.message


def test_truncated_and_empty_bodies(server: HTTPServer) -> None:
    """C18 over HTTP."""
    cut = (DATA / "truncated.jpg").read_bytes()
    server.expect_request("/cut.jpg").respond_with_data(cut, content_type="image/jpeg")
    server.expect_request("/empty.png").respond_with_data(b"", content_type="image/png")
    image_loader = loader()
    assert "truncated image data" in fetch_error(image_loader, server.url_for("/cut.jpg")).message
    assert "empty body" in fetch_error(image_loader, server.url_for("/empty.png")).message


def test_credentials_and_tokens_are_not_in_messages(server: HTTPServer) -> None:
    server.expect_request("/private").respond_with_data("no", status=403)
    url = server.url_for("/private").replace("http://", "http://alice:hunter2@")
    error = fetch_error(loader(), url + "?token=s3cr3t&size=large")
    assert "HTTP 403" in error.message
    assert "hunter2" not in error.message
    assert "alice" not in error.message
    assert "s3cr3t" not in error.message
    assert "size=large" in error.message


def test_field_is_set_by_the_caller(server: HTTPServer) -> None:
    server.expect_request("/gone").respond_with_data("", status=410)
    with pytest.raises(ImageFetchError) as caught:
        loader().load(server.url_for("/gone"), field="layers[2].src")
    assert caught.value.field == "layers[2].src"


def test_avatar_used_by_many_rows_is_fetched_and_decoded_once(server: HTTPServer) -> None:
    server.expect_request("/avatar.png").respond_with_data(
        png_bytes(size=(64, 64)), content_type="image/png"
    )
    image_loader = loader()
    url = server.url_for("/avatar.png")
    for _ in range(200):
        fitted = image_loader.load_fitted(url, (32, 32), "cover", (0.5, 0.5), "circle")
        assert fitted.size == (32, 32)
    assert len(server.log) == 1
    assert image_loader._decoded.misses == 1


def test_disk_cache_honours_max_age(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/fresh.png").respond_with_data(
        png_bytes(), content_type="image/png", headers={"Cache-Control": "max-age=600"}
    )
    url = server.url_for("/fresh.png")
    loader(cache_dir=tmp_path).load(url)
    loader(cache_dir=tmp_path).load(url)  # another worker: memory cold, disk warm
    assert len(server.log) == 1


def test_disk_cache_honours_no_store(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/secret.png").respond_with_data(
        png_bytes(), content_type="image/png", headers={"Cache-Control": "no-store"}
    )
    url = server.url_for("/secret.png")
    loader(cache_dir=tmp_path).load(url)
    loader(cache_dir=tmp_path).load(url)
    assert len(server.log) == 2
    assert not any(tmp_path.rglob("*.entry"))


def test_etag_revalidation_uses_the_cached_body(server: HTTPServer, tmp_path: Path) -> None:
    def respond(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"', "Cache-Control": "no-cache"})
        return Response(
            png_bytes(),
            content_type="image/png",
            headers={"ETag": '"v1"', "Cache-Control": "no-cache"},
        )

    server.expect_request("/tagged.png").respond_with_handler(respond)
    url = server.url_for("/tagged.png")
    loader(cache_dir=tmp_path).load(url)
    image = loader(cache_dir=tmp_path).load(url)
    assert image.getpixel((0, 0)) == (0, 128, 255)
    assert len(server.log) == 2
    second_request = server.log[1][0]
    assert second_request.headers.get("If-None-Match") == '"v1"'


def test_disk_cache_is_pruned_least_recently_used_first(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path, max_bytes=10_000)
    for index in range(5):
        cache.put(CachedBody(f"http://x/{index}", bytes(3000), time.time(), 60.0))
        time.sleep(0.01)
    assert cache.get("http://x/4") is not None
    cache.prune()
    kept = [index for index in range(5) if cache.get(f"http://x/{index}") is not None]
    assert 4 in kept
    assert 0 not in kept
    assert sum(p.stat().st_size for p in tmp_path.rglob("*.entry")) <= 10_000


def test_validators_survive_a_bare_304(server: HTTPServer, tmp_path: Path) -> None:
    """A 304 without ETag keeps the stored one for the next revalidation."""

    def respond(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v7"':
            return Response(status=304, headers={"Cache-Control": "no-cache"})
        return Response(
            png_bytes(),
            content_type="image/png",
            headers={"ETag": '"v7"', "Cache-Control": "no-cache"},
        )

    server.expect_request("/bare.png").respond_with_handler(respond)
    url = server.url_for("/bare.png")
    for _worker in range(3):
        assert loader(cache_dir=tmp_path).load(url).size == (8, 6)
    assert [entry[0].headers.get("If-None-Match") for entry in server.log] == [None, '"v7"', '"v7"']


@pytest.mark.parametrize("allow_private", [False, True])
def test_hanging_name_resolution_hits_the_deadline(
    monkeypatch: pytest.MonkeyPatch, allow_private: bool
) -> None:
    """getaddrinfo cannot be interrupted; the lookup is abandoned at the deadline."""
    real_lookup = resolver._lookup

    def slow_lookup(host: str, port: int) -> list[tuple[int, str]]:
        if host == "slow-dns.test":
            time.sleep(3)
        return real_lookup(host, port)

    monkeypatch.setattr(resolver, "_lookup", slow_lookup)
    started = time.monotonic()
    image_loader = loader(allow_private_networks=allow_private, total_timeout=1.0)
    error = fetch_error(image_loader, "http://slow-dns.test/a.png")
    assert "timed out after 1 s" in error.message
    assert time.monotonic() - started < 2.0
