"""The command line, run as a user runs it: a real subprocess, real files."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


@dataclass
class Post:
    path: str
    authorization: str | None
    body: bytes


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[Post]]]:
    """A webhook receiver on 127.0.0.1 answering 204: its base URL and the POSTs it got."""
    posts: list[Post] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            posts.append(Post(self.path, self.headers.get("Authorization"), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", posts
    finally:
        server.shutdown()


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


def test_render_reports_the_webhook_it_sent(tmp_path, card, receiver):
    host, posts = receiver
    result = run("render", str(card), "--data", "-", "--workers", "1", "--no-progress",
                 "--webhook", f"http://{host}/hooks", cwd=tmp_path, stdin='{"title": "a"}\n')
    assert result.returncode == 0, result.stderr
    assert "webhook: delivered after 1 attempt (last: 204)" in result.stdout
    assert json.loads(posts[0].body)["event"] == "batch.completed"


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


# -- the reviewer's findings: each as a user meets it ------------------------------------


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _batches(cwd: Path) -> list[dict[str, object]]:
    listing = run("batches", "list", "--json", cwd=cwd)
    assert listing.returncode == 0, listing.stderr
    return json.loads(listing.stdout)


SLOW_CARD = """\
size: [1200, 630]
background: {gradient: {angle: 135, stops: ["#1e3a8a", "#7c3aed"]}}
variables:
  title: {type: string, required: true}
layers:
  - type: text
    box: [60, 60, 1080, 510]
    content: "{{ title }}"
    font: {size: 64}
"""


def _start_slow_render(tmp_path: Path, rows: int) -> tuple[subprocess.Popen[str], str]:
    """A render of many rows running in its own process, and its batch id once it renders."""
    import time

    layout = tmp_path / "slow.yaml"
    layout.write_text(SLOW_CARD, encoding="utf-8")
    data = tmp_path / "many.csv"
    data.write_text("title\n" + "".join(f"Card number {i}\n" for i in range(rows)))
    render = subprocess.Popen(
        [sys.executable, "-m", "pictify_raster", "render", str(layout), "--data", str(data),
         "--workers", "1", "--no-progress"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batches = _batches(tmp_path) if (tmp_path / "pictify-data").exists() else []
        if batches and int(batches[0]["completedCount"]) > 0:  # type: ignore[call-overload]
            return render, str(batches[0]["id"])
        time.sleep(0.1)
    render.kill()
    raise AssertionError("the render never started")


def test_a_cancelled_render_prints_its_real_counts(tmp_path):
    render, batch_id = _start_slow_render(tmp_path, rows=3000)
    cancel = run("batches", "cancel", batch_id, cwd=tmp_path)
    assert cancel.returncode == 0, cancel.stderr
    out, err = render.communicate(timeout=120)
    assert render.returncode == 1, err
    [batch] = _batches(tmp_path)
    assert batch["status"] == "cancelled"
    completed, cancelled = batch["completedCount"], batch["cancelledCount"]
    assert cancelled > 0  # type: ignore[operator]
    assert f"completed: {completed}\n" in out
    assert f"cancelled: {cancelled}\n" in out
    assert "failed:    0\n" in out
    # The rate is over the images made, not the 3000 rows given.
    line = next(line for line in out.splitlines() if "images per second" in line)
    seconds = float(line.split(" rows in ")[1].split(" s:")[0])
    rate = float(line.split(", ")[-1].split(" images per second")[0])
    assert f"{completed} images" in line
    assert abs(rate - completed / seconds) <= 0.05 * rate + 1  # type: ignore[operator]

    results = run("batches", "results", batch_id, "--status", "cancelled", "--limit", "3",
                  cwd=tmp_path)
    assert results.returncode == 0, results.stderr
    lines = results.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.split()[1:] == ["cancelled", "-"] for line in lines), lines
    assert "None" not in results.stdout


def test_batches_show_prints_clean_lines_and_json_stays_json(tmp_path, card):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"title": "a"}\n{"count": 1}\n', encoding="utf-8")
    url = f"http://127.0.0.1:{_closed_port()}/hooks"
    rendered = run("render", str(card), "--data", str(data), "--workers", "1", "--no-progress",
                   "--webhook", url, "--webhook-retries", "1", cwd=tmp_path)
    assert rendered.returncode == 1, rendered.stderr
    [batch] = _batches(tmp_path)

    show = run("batches", "show", str(batch["id"]), cwd=tmp_path)
    assert show.returncode == 0, show.stderr
    text = show.stdout
    for raw in ("None", "{'", "[{", "batch:", "deliveries:"):
        assert raw not in text, (raw, text)
    assert "parent:     -" in text
    assert "failures:   INVALID_VARIABLE: 1" in text
    assert "items:      2: 1 completed, 1 failed, 0 cancelled, 0 pending" in text
    delivery_lines = [line for line in text.splitlines() if "delivery dlv_" in line]
    assert len(delivery_lines) == 1 and "failed, 2 attempts" in delivery_lines[0]
    attempts = [line for line in text.splitlines() if line.strip().startswith("attempt ")]
    assert len(attempts) == 2 and all("connection failed" in line for line in attempts)

    as_json = json.loads(run("batches", "show", str(batch["id"]), "--json", cwd=tmp_path).stdout)
    assert as_json["parentId"] is None
    assert as_json["webhookDeliveries"][0]["attempts"][0]["statusCode"] is None
    assert as_json["stats"]["failuresByCode"] == {"INVALID_VARIABLE": 1}


def test_secrets_of_the_webhook_url_appear_nowhere(tmp_path, card, receiver):
    host, posts = receiver
    url = f"http://user:hunter2@{host}/h?token=SECRETTOKEN&team=7"
    rendered = run("-v", "render", str(card), "--data", "-", "--workers", "1",
                   "--no-progress", "--webhook", url, cwd=tmp_path, stdin='{"title": "a"}\n')
    [batch] = _batches(tmp_path)
    outputs = [rendered]
    for args in (["batches", "show", str(batch["id"])],
                 ["-v", "batches", "show", str(batch["id"]), "--json"],
                 ["batches", "list", "--json"],
                 ["batches", "results", str(batch["id"]), "--json"],
                 ["-v", "batches", "redeliver", str(batch["id"])]):
        outputs.append(run(*args, cwd=tmp_path))
    assert rendered.returncode == 0, rendered.stderr
    # The receiver got the real credentials and token, twice (render, redeliver).
    assert [post.path for post in posts] == ["/h?token=SECRETTOKEN&team=7"] * 2
    assert all(post.authorization and post.authorization.startswith("Basic ") for post in posts)
    for result in outputs:
        assert result.returncode == 0, result.stderr
        both = result.stdout + result.stderr
        assert "hunter2" not in both and "SECRETTOKEN" not in both, both
    # urllib3 logged its request lines with -v, the token masked.
    assert "POST /h?token=***&team=7" in rendered.stderr
    assert f"http://***@{host}/h?token=***&team=7" in outputs[1].stdout


WARNING_CARD = """\
size: [320, 160]
variables:
  title: {type: string, required: true}
  photo: {type: image}
layers:
  - type: text
    box: [10, 10, 300, 60]
    content: "{{ title }}"
    font: {size: 24}
  - type: image
    box: [10, 80, 60, 60]
    src: "{{ photo }}"
    fallback: hide
    visible: "{{ photo != null }}"
"""


def test_warnings_are_shown_by_render_and_preview(tmp_path):
    layout = tmp_path / "warn.yaml"
    layout.write_text(WARNING_CARD, encoding="utf-8")
    rows = [{"title": "plain"}, {"title": "hieroglyph \U00013000"},
            {"title": "photo", "photo": "missing.png"}, {"title": "again \U00013000"}]
    data = tmp_path / "rows.json"
    data.write_text(json.dumps(rows), encoding="utf-8")
    result = run("render", str(layout), "--data", str(data), "--workers", "1", "--no-progress",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "    MISSING_GLYPHS: 2 items\n" in out
    assert "    IMAGE_FALLBACK: 1 item\n" in out
    assert "e.g. item 1: layers[0]: no font has U+13000" in out
    assert "e.g. item 2: layers[1]" in out and "the layer was hidden" in out

    summary = json.loads(run("render", str(layout), "--data", str(data), "--workers", "1",
                             "--no-progress", "--json", cwd=tmp_path).stdout)
    assert summary["warnings"]["MISSING_GLYPHS"]["count"] == 2
    assert [e["index"] for e in summary["warnings"]["MISSING_GLYPHS"]["examples"]] == [1, 3]

    preview = run("preview", str(layout), "--var", "title=\U00013000", "--var",
                  "photo=missing.png", "-o", "p.png", cwd=tmp_path)
    assert preview.returncode == 0, preview.stderr
    warnings = preview.stderr.splitlines()
    assert any(line.startswith("pictify-raster: warning: MISSING_GLYPHS: ") for line in warnings)
    assert any(line.startswith("pictify-raster: warning: IMAGE_FALLBACK: ") for line in warnings)


def test_the_file_ending_chooses_the_format(tmp_path, card):
    for name, fmt in (("p.jpg", "JPEG"), ("p.jpeg", "JPEG"), ("p.webp", "WEBP"), ("p.png", "PNG")):
        result = run("preview", str(card), "--var", "title=Hi", "-o", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        with Image.open(tmp_path / name) as image:
            assert image.format == fmt, name
    refused = run("preview", str(card), "--var", "title=Hi", "-o", "p.gif", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "'.gif'" in refused.stderr
    assert not (tmp_path / "p.gif").exists()

    sheet = run("render", str(card), "--data", "-", "--workers", "1", "--no-progress",
                "--contact-sheet", "cs.webp", cwd=tmp_path, stdin='{"title": "a"}\n')
    assert sheet.returncode == 0, sheet.stderr
    with Image.open(tmp_path / "cs.webp") as image:
        assert image.format == "WEBP"
    bad = run("render", str(card), "--data", "-", "--no-progress", "--contact-sheet", "cs.gif",
              cwd=tmp_path, stdin='{"title": "a"}\n')
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "cs.gif" in bad.stderr
    assert len(_batches(tmp_path)) == 1  # refused before any batch started


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["render", "card.yaml", "--data", "-", "--out", "a-file", "--no-progress"],
         '{"title": "a"}', "a-file is a file, not a folder"),
        (["preview", "card.yaml", "--var", "title=a", "-o", "/missing_dir/x.png"], None,
         "cannot write /missing_dir/x.png: the folder /missing_dir does not exist"),
        (["render", "card.yaml", "--data", "numbers.json", "--no-progress"], None,
         "row 1 is a number (5), not an object of variables"),
        (["preview", "card.yaml", "--data", "numbers.json", "--row", "2"], None,
         "row 2 is null, not an object of variables"),
        (["render", "card.yaml", "--data", "-", "--no-progress"], '{"title": "a"}\n5\n',
         "<stdin>:2: expected an object of variables, got a number (5)"),
    ],
)
def test_low_level_errors_read_as_one_clear_line(tmp_path, card, args, stdin, words):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "numbers.json").write_text('[{"title": "a"}, 5, null]')
    result = run(*args, cwd=tmp_path, stdin=stdin)
    both = result.stdout + result.stderr
    assert words in both, both
    assert "Errno" not in both and "Traceback" not in both and "NoneType" not in both
    assert result.returncode in (1, 2)


def test_a_reader_that_goes_away_is_no_error(tmp_path):
    for args in (["fonts"], ["validate", *[str(p) for p in sorted(LAYOUTS.glob("*.yaml"))]]):
        child = subprocess.Popen([sys.executable, "-m", "pictify_raster", *args], cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()  # like `| head -0`: nobody reads
        err = child.stderr.read().decode()
        assert child.wait(timeout=120) == 0, err
        assert err == "", err


def test_undecodable_empty_and_ambiguous_data_files(tmp_path, card):
    (tmp_path / "latin.csv").write_bytes("title\ncafé\nthé\n".encode("latin-1"))
    (tmp_path / "utf16.csv").write_text("title\nhello\n", encoding="utf-16")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text("title\n")
    (tmp_path / "twice.csv").write_text("title,count,title\na,1,b\n")

    latin = run("render", str(card), "--data", "latin.csv", "--no-progress", cwd=tmp_path)
    assert latin.returncode == 2
    assert latin.stderr.count("\n") == 1, latin.stderr  # no log line before the error
    assert "latin.csv:2: not UTF-8 text: byte 0xE9 at column 4" in latin.stderr

    for name, words in (("empty.csv", "no rows in empty.csv"),
                        ("header.csv", "no rows in header.csv"),
                        ("twice.csv", "the column 'title' twice")):
        result = run("render", str(card), "--data", name, "--no-progress", cwd=tmp_path)
        assert result.returncode == 2, (name, result.stdout)
        assert result.stderr.count("\n") == 1 and words in result.stderr, result.stderr
    for stdin in ("", "title\n"):
        result = run("render", str(card), "--data", "-", "--no-progress", cwd=tmp_path,
                     stdin=stdin)
        assert result.returncode == 2 and "no rows in <stdin>" in result.stderr, result.stderr
    assert _batches(tmp_path) == []  # nothing refused left an empty batch behind

    utf16 = run("render", str(card), "--data", "utf16.csv", "--no-progress", "--json",
                cwd=tmp_path)
    assert utf16.returncode == 0, utf16.stderr
    assert json.loads(utf16.stdout)["completedCount"] == 1
    [item] = json.loads(run("batches", "results", json.loads(utf16.stdout)["id"], "--json",
                            cwd=tmp_path).stdout)["results"]
    assert item["variables"] == {"title": "hello"}


def test_read_only_commands_change_nothing(tmp_path, card, receiver):
    from pictify_raster.batch.store import Store

    missing = tmp_path / "nowhere"
    for action in (["list"], ["show", "batch_x"], ["results", "batch_x"], ["resume"]):
        result = run("batches", *action, "--home", str(missing), cwd=tmp_path)
        assert result.returncode == 2, result.stdout
        assert f"no store at {missing}" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()

    # A delivery whose retry is due, left by a client that is gone: readers do not send it.
    host, posts = receiver
    result = run("render", str(card), "--data", "-", "--workers", "1", "--no-progress",
                 "--webhook", f"http://{host}/h", cwd=tmp_path, stdin='{"title": "a"}\n')
    assert result.returncode == 0 and [post.path for post in posts] == ["/h"], result.stderr
    store = Store(tmp_path / "pictify-data")
    with store.transaction() as conn:
        conn.execute("UPDATE deliveries SET status = 'pending', next_attempt_at = 0, "
                     "owner = 'elsewhere:1:gone', heartbeat_at = 0")
    store.close()
    [batch] = _batches(tmp_path)
    for action in (["list"], ["show", str(batch["id"])], ["results", str(batch["id"])]):
        assert run("batches", *action, cwd=tmp_path).returncode == 0
    assert [post.path for post in posts] == ["/h"]


def test_resume_names_the_batches_another_client_holds(tmp_path):
    render, batch_id = _start_slow_render(tmp_path, rows=1000)
    try:
        resume = run("batches", "resume", cwd=tmp_path)
    finally:
        run("batches", "cancel", batch_id, cwd=tmp_path)
        render.communicate(timeout=120)
    assert resume.returncode == 0, resume.stderr
    assert "no unfinished batches" not in resume.stdout
    assert f"{batch_id}: processing" in resume.stdout
    assert "held by another running client" in resume.stdout


def test_a_receiver_that_is_down_ends_the_delivery_failed(tmp_path, card):
    url = f"http://127.0.0.1:{_closed_port()}/hooks"
    result = run("render", str(card), "--data", "-", "--workers", "1", "--no-progress",
                 "--webhook", url, "--webhook-retries", "1", cwd=tmp_path, stdin='{"title": "a"}\n')
    assert result.returncode == 0, result.stderr  # the batch completed; only the POST failed
    assert "webhook: failed after 2 attempts" in result.stdout
    assert "batches redeliver" in result.stdout
    assert "webhook attempt 1 of 2 failed (connection failed" in result.stderr
    [batch] = _batches(tmp_path)
    shown = json.loads(run("batches", "show", str(batch["id"]), "--json", cwd=tmp_path).stdout)
    [delivery] = shown["webhookDeliveries"]
    assert delivery["status"] == "failed" and len(delivery["attempts"]) == 2


SQUARE_CARD = """\
size: [400, 400]
variables:
  photo: {type: image}
layers:
  - type: image
    box: [0, 0, 400, 400]
    src: "{{ photo }}"
"""


def test_contact_sheet_labels_fit_their_tiles(tmp_path):
    layout = tmp_path / "square.yaml"
    layout.write_text(SQUARE_CARD, encoding="utf-8")
    result = run("render", str(layout), "--data", "-", "--workers", "1", "--no-progress",
                 "--contact-sheet", "cs.png", cwd=tmp_path, stdin='{"photo": "missing.png"}\n')
    assert result.returncode == 1, result.stderr
    with Image.open(tmp_path / "cs.png") as sheet:
        tile = sheet.convert("RGB").crop((4, 4, 164, 164))  # the first tile: 160 x 160
    red = (220, 38, 38)
    for x in (*range(3), *range(157, 160)):
        column = {tile.getpixel((x, y)) for y in range(160)}
        assert column == {red}, f"the label reaches column {x} of its tile"
    rows_with_ink = [y for y in range(160) if any(tile.getpixel((x, y)) != red
                                                    for x in range(160))]
    assert rows_with_ink and rows_with_ink[0] >= 3 and rows_with_ink[-1] <= 156


def test_a_webhook_secret_without_a_webhook_is_refused(tmp_path, card):
    data = tmp_path / "rows.csv"
    data.write_text("title,count\nAlpha,1\n", encoding="utf-8")
    result = run("render", str(card), "--data", str(data), "--webhook-secret", "s3cret",
                 cwd=tmp_path)
    assert result.returncode == 2
    assert "--webhook-secret" in result.stderr and "--webhook" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "pictify-data").exists()  # refused before any batch
