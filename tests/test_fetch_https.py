"""HTTPS through the guarded, pinned connections: certificates still verified."""

from __future__ import annotations

import io
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer

from pictify_raster.errors import ImageFetchError
from pictify_raster.fetch import FetchSettings, ImageLoader

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_server(certificate: tuple[Path, Path]) -> Iterator[HTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context, threaded=True)
    server.start()
    out = io.BytesIO()
    Image.new("RGB", (5, 5), (1, 200, 3)).save(out, "PNG")
    server.expect_request("/a.png").respond_with_data(out.getvalue(), content_type="image/png")
    yield server
    server.clear()
    server.stop()


def test_https_with_a_trusted_certificate(
    tls_server: HTTPServer, certificate: tuple[Path, Path]
) -> None:
    loader = ImageLoader(FetchSettings(allow_private_networks=True))
    loader._remote.http.session().verify = str(certificate[0])
    url = f"https://localhost:{tls_server.port}/a.png"
    assert loader.load(url).getpixel((2, 2)) == (1, 200, 3)


def test_https_with_an_untrusted_certificate_fails(tls_server: HTTPServer) -> None:
    loader = ImageLoader(FetchSettings(allow_private_networks=True))
    with pytest.raises(ImageFetchError, match="TLS error"):
        loader.load(f"https://localhost:{tls_server.port}/a.png")
