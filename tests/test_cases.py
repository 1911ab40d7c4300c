"""The handed cases from the wild, each run through a real batch.

Every case must render correctly or fail just its own item with the right
code and a clear message; the rest of the batch always renders. The finer
checks of each case (pixels, shaping, limits) live in the tests of its
module; here they meet the batch API, the worker processes and the store.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import pictify_raster as px
from pictify_raster.fetch import FetchSettings

DATA = Path(__file__).resolve().parent / "data"
IMAGES = DATA / "images"

TEXT_CARD = """\
size: [1000, 420]
background: "#ffffff"
variables:
  title:    {type: string}
  subtitle: {type: string}
  site_name: {type: string}
  price:    {type: string}
  currency: {type: string}
layers:
  - type: text
    box: [40, 30, 920, 220]
    content: "{{ title }}"
    font: {family: Noto Sans, weight: 700, size: 48, min_size: 10}
    max_lines: 3
    overflow: shrink
    align: start
  - type: text
    box: [40, 260, 920, 60]
    content: "{{ subtitle ?? site_name ?? '' }}"
    font: {family: Noto Sans, size: 28}
    max_lines: 1
    align: start
  - type: text
    box: [40, 330, 920, 60]
    content: "{{ price | currency(currency ?? 'USD') }}"
    font: {family: Noto Sans, size: 28}
    visible: "{{ price != null }}"
"""


def case_rows() -> list[dict[str, object]]:
    return [
        json.loads(line)
        for line in (DATA / "cases" / "rows.jsonl").read_text("utf-8").splitlines()
        if line
    ]


def run_batch(
    tmp_path: Path, layout: Path, rows: list[dict[str, object]], **options: object
) -> list[px.BatchItem]:
    with px.Pictify(home=tmp_path / "home", workers=2, **options) as client:  # type: ignore[arg-type]
        uid = client.templates.register(layout)
        batch = client.templates.batch_render(uid, variable_sets=rows)
        finished = client.batches.wait(batch.id, timeout=240)
        assert finished.status == "completed"
        assert finished.completed_count + finished.failed_count == len(rows)
        return list(client.templates.iter_batch_results(batch.id))


def test_text_and_data_cases_render_or_fail_alone(tmp_path):
    layout = tmp_path / "card.yaml"
    layout.write_text(TEXT_CARD, encoding="utf-8")
    rows = case_rows()
    items = run_batch(tmp_path, layout, rows)

    outcomes = {}
    for row, item in zip(rows, items, strict=True):
        key = f"{row['_case']}/{row.get('_variant', '')}"
        outcomes[key] = item
        codes = [warning.code for warning in item.warnings]
        assert "MISSING_GLYPHS" not in codes, (key, item.warnings)

    # C28: a price that is not a number fails its own row, naming the filter and value.
    bad_price = outcomes["C28/non-numeric-price"]
    assert bad_price.status == "failed"
    assert bad_price.error is not None and bad_price.error.code == "EXPRESSION_ERROR"
    assert "N/A" in bad_price.error.message and "currency" in bad_price.error.message

    # C30: 100,000 characters shrink to the smallest size, three lines, cut with "…";
    # the item says so.
    fit = outcomes["C30/"].text_fit["layers[0]"]
    assert fit == {"fontSize": 10, "lines": 3, "truncated": True}

    # Every other case renders: shaping, emoji, CJK, braces, blanks, 100,000 characters.
    for key, item in outcomes.items():
        if key != "C28/non-numeric-price":
            assert item.status == "completed", (key, item.error)
            assert item.path is not None and Path(item.path).is_file()


class _SlowAndBrokenImages(BaseHTTPRequestHandler):
    """/slow trickles a JPEG a byte at a time; /login answers an HTML page."""

    def do_GET(self) -> None:
        if self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "50000")
            self.end_headers()
            for _ in range(400):
                try:
                    self.wfile.write(b"\xff")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.25)
            return
        body = (IMAGES / "not_an_image.png").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def image_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowAndBrokenImages)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


IMAGE_CARD = """\
size: [240, 120]
background: "#1e293b"
variables:
  photo: {type: string, required: true}
layers:
  - type: image
    box: [10, 10, 100, 100]
    src: "{{ photo }}"
    mask: circle
"""


def test_image_cases_fail_only_their_own_rows(tmp_path, image_server):
    for name in (
        "truncated.jpg",
        "empty.png",
        "exif_orientation_6.jpg",
        "cmyk_adobe.jpg",
        "anim_transparent.gif",
        "anim_alpha.webp",
        "bomb_50k_header.png",
        "rgba_badge.png",
    ):
        shutil.copy(IMAGES / name, tmp_path / name)
    layout = tmp_path / "card.yaml"
    layout.write_text(IMAGE_CARD, encoding="utf-8")

    # C18: a 50-row batch where row 17 is a truncated JPEG and row 33 an empty PNG;
    # C21, C23 and C24 ride along in rows of their own.
    rows = [{"photo": "exif_orientation_6.jpg"} for _ in range(50)]
    rows[17] = {"photo": "truncated.jpg"}
    rows[33] = {"photo": "empty.png"}
    rows[5] = {"photo": f"{image_server}/login"}
    rows[8] = {"photo": f"{image_server}/slow"}
    rows[40] = {"photo": "bomb_50k_header.png"}
    rows[2], rows[3], rows[4] = (
        {"photo": "cmyk_adobe.jpg"},
        {"photo": "anim_transparent.gif"},
        {"photo": "anim_alpha.webp"},
    )

    limits = FetchSettings(total_timeout=2.0)
    items = run_batch(tmp_path, layout, rows, allow_private_networks=True, fetch_settings=limits)
    failed = {item.index: item.error for item in items if item.status == "failed"}
    assert set(failed) == {5, 8, 17, 33, 40}
    assert all(
        error is not None and error.code == "IMAGE_FETCH_FAILED" for error in failed.values()
    )
    assert "truncated" in failed[17].message  # type: ignore[union-attr]
    assert "empty" in failed[33].message  # type: ignore[union-attr]
    assert "HTML" in failed[5].message  # type: ignore[union-attr]
    assert "timed out after 2" in failed[8].message  # type: ignore[union-attr]
    assert "50000" in failed[40].message  # type: ignore[union-attr]
