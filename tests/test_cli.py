"""The command line, run as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"

CARD = """\
size: [320, 160]
background: "#ffffff"
variables:
  title: {type: string, required: true}
  count: {type: integer, default: 1}
output: {filename: "card-{{ title }}"}
layers:
  - type: text
    box: [10, 10, 300, 140]
    content: "{{ title }} ({{ count }})"
    font: {size: 24}
"""


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pictify_raster", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture
def card(tmp_path: Path) -> Path:
    path = tmp_path / "card.yaml"
    path.write_text(CARD, encoding="utf-8")
    return path


def test_render_from_csv_writes_images_and_exits_zero(tmp_path, card):
    data = tmp_path / "rows.csv"
    data.write_text("title,count\nAlpha,1\nBeta,2\nGamma,3\n", encoding="utf-8")
    sheet = tmp_path / "sheet.png"
    result = run(
        "render",
        str(card),
        "--data",
        str(data),
        "--out",
        "out",
        "--workers",
        "1",
        "--no-progress",
        "--contact-sheet",
        str(sheet),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "completed: 3" in result.stdout
    assert "images per second" in result.stdout
    names = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert names == ["card-Alpha.png", "card-Beta.png", "card-Gamma.png"]
    assert Image.open(sheet).size[0] > 0


def test_render_with_a_bad_row_exits_one_and_names_the_code(tmp_path, card):
    rows = [{"title": "fine"}, {"title": "also fine", "count": "lots"}, {"count": 2}]
    data = tmp_path / "rows.jsonl"
    data.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    result = run(
        "render", str(card), "--data", str(data), "--workers", "1", "--no-progress", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert "completed: 1" in result.stdout
    assert "INVALID_VARIABLE: 2" in result.stdout


def test_render_reads_a_json_array_from_stdin(tmp_path, card):
    result = run(
        "render",
        str(card),
        "--data",
        "-",
        "--workers",
        "1",
        "--no-progress",
        "--json",
        cwd=tmp_path,
        stdin=json.dumps([{"title": "One"}, {"title": "Two"}]),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["completedCount"] == 2
    assert summary["status"] == "completed"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["render", "missing.yaml", "--data", "rows.csv"], "no such layout file"),
        (["render", "card.yaml", "--data", "missing.csv"], "no such data file"),
        (["preview", "broken.yaml"], "unknown key 'colour'"),
        (["render", "card.yaml", "--data", "bad.json"], "not valid JSON"),
    ],
)
def test_bad_inputs_give_one_clear_line_and_exit_two(tmp_path, card, args, words):
    (tmp_path / "broken.yaml").write_text(
        "size: [10, 10]\nlayers:\n  - type: rect\n    box: [0, 0, 5, 5]\n    colour: red\n"
    )
    (tmp_path / "bad.json").write_text('[{"title": "ok"}, {"title": ]\n')
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreadable_line_fails_only_its_own_item(tmp_path, card):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"title": "one"}\n{"title": \n{"title": "three"}\n', encoding="utf-8")
    result = run("render", str(card), "--data", str(data), "--workers", "1", "--no-progress",
                 "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["completedCount"], summary["failedCount"]) == (2, 1)
    example = summary["failures"]["INVALID_VARIABLE"]["example"]
    assert example["index"] == 1
    assert "rows.jsonl:2: not valid JSON" in example["error"]["message"]


def test_preview_writes_one_image_with_vars(tmp_path, card):
    result = run(
        "preview",
        str(card),
        "--var",
        "title=Hello",
        "--var",
        "count=3",
        "-o",
        "p.png",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert Image.open(tmp_path / "p.png").size == (320, 160)


def test_validate_reports_each_layout(tmp_path, card):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "size: [10, 10]\nlayers:\n  - type: text\n    box: [0, 0, 5, 5]\n    content: '{{ a + }}'\n"
    )
    result = run("validate", str(card), str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{card}: ok" in result.stdout
    assert "layers[0].content" in result.stdout
    assert "EXPRESSION" in result.stdout or "does not parse" in result.stdout


def test_validate_accepts_every_bundled_layout(tmp_path):
    layouts = sorted(str(path) for path in LAYOUTS.rglob("*.yaml"))
    result = run("validate", *layouts, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_batches_list_show_and_results(tmp_path, card):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"title": "a"}\n{"count": 1}\n', encoding="utf-8")
    run("render", str(card), "--data", str(data), "--workers", "1", "--no-progress", cwd=tmp_path)

    listing = run("batches", "list", "--json", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    batch_id = json.loads(listing.stdout)[0]["id"]

    show = run("batches", "show", batch_id, cwd=tmp_path)
    assert show.returncode == 0, show.stderr
    assert "INVALID_VARIABLE" in show.stdout

    failed = run("batches", "results", batch_id, "--status", "failed", "--json", cwd=tmp_path)
    results = json.loads(failed.stdout)["results"]
    assert [item["index"] for item in results] == [1]
    assert results[0]["error"]["code"] == "INVALID_VARIABLE"


def test_eval_prints_the_value(tmp_path):
    result = run("eval", "name | upper", "--var", "name=ada", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == "ADA"


def test_fonts_lists_the_bundled_families(tmp_path):
    result = run("fonts", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Noto Sans" in result.stdout


def test_render_reports_the_webhook_it_sent(tmp_path, card):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[dict[str, object]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
        result = run("render", str(card), "--data", "-", "--workers", "1", "--no-progress",
                     "--webhook", url, cwd=tmp_path, stdin='{"title": "a"}\n')
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert "webhook: delivered after 1 attempts (last: 204)" in result.stdout
    assert received[0]["event"] == "batch.completed"


@pytest.mark.parametrize("args", [["--quality", "0"], ["--item-timeout", "nan"]])
def test_nonsense_settings_are_refused(tmp_path, card, args):
    result = run("render", str(card), "--data", "-", *args, cwd=tmp_path, stdin="")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_render_on_a_dask_cluster_with_scheduler(tmp_path, card):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = run("render", str(card), "--data", "-", "--scheduler", cluster.scheduler_address,
                     "--out", "out", "--no-progress", cwd=tmp_path,
                     stdin='{"title": "a"}\n{"title": "b"}\n')
    assert result.returncode == 0, result.stderr
    assert "completed: 2" in result.stdout
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["card-a.png", "card-b.png"]
