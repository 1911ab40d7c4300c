"""Batches end to end: real SQLite, real worker processes, the real renderer (and a fake one
for rows that must hang or crash a worker)."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from test_batch_fakes import CARD, FACTORY, write_card

from pictify_raster.batch import (
    Batch,
    BatchStatus,
    ItemStatus,
    Pictify,
    ProgressEvent,
)
from pictify_raster.batch.outputs import TEMP_PREFIX
from pictify_raster.errors import LayoutError


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def client(home: Path) -> Iterator[Pictify]:
    with Pictify(home=home, workers=2, item_timeout=20) as c:
        yield c


@pytest.fixture
def fake_client(home: Path) -> Iterator[Pictify]:
    with Pictify(home=home, workers=2, item_timeout=1.5, _renderer_factory=FACTORY) as c:
        yield c


@pytest.fixture
def uid(client: Pictify, tmp_path: Path) -> str:
    return client.templates.register(write_card(tmp_path))


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_lifecycle_fields_and_files(client: Pictify, uid: str, home: Path) -> None:
    rows = [{"title": f"Card {i}"} for i in range(12)]
    batch = client.templates.batch_render(uid, rows)
    assert batch.id.startswith("batch_")
    assert batch.total_count == 12
    assert batch.template_uid == "tmpl_test_card"
    assert batch.format == "png"
    done = client.batches.wait(batch.id, timeout=60)
    assert done.status is BatchStatus.COMPLETED
    assert (done.completed_count, done.failed_count) == (12, 0)
    assert done.started_at and done.completed_at and done.duration_ms is not None
    assert done.created_at <= done.started_at <= done.completed_at

    res = client.templates.get_batch_results(batch.id)
    assert [item.index for item in res.results] == list(range(12))
    folder = home / "outputs" / batch.id
    for item, row in zip(res.results, rows, strict=True):
        assert item.status is ItemStatus.COMPLETED
        assert item.variables == row
        assert item.error is None
        assert item.path == str(folder / f"{item.index:06d}.png")
        assert item.url == Path(item.path).as_uri()
        assert isinstance(item.duration_ms, int)
        with Image.open(item.path) as image:
            assert image.size == (120, 60)
    assert _files(folder) == [f"{i:06d}.png" for i in range(12)]

    payload = done.to_json()
    assert {"id", "templateUid", "status", "totalCount", "completedCount", "failedCount",
            "createdAt", "startedAt", "completedAt", "durationMs", "format",
            "webhookUrl"} <= payload.keys()
    assert payload["createdAt"].endswith("Z")
    item_json = res.results[0].to_json()
    assert {"index", "status", "url", "path", "error", "variables", "warnings",
            "durationMs"} <= item_json.keys()
    assert client.batches.get(batch.id) == done
    assert done.id in [b.id for b in client.batches.list()]


def test_each_error_code_reaches_its_item(client: Pictify, uid: str) -> None:
    rows: list[Any] = [
        {"title": "fine"},
        {},                                        # required variable missing
        {"title": "ok", "count": "abc"},           # not an integer
        {"title": "x", "count": 0},                # division by zero in an expression
        {"title": "x", "photo": "missing.png"},    # image that does not exist
        {"title": "word " * 80},                   # overflow: error
        ["not", "a", "mapping"],
    ]
    batch = client.render_batch(uid, rows)
    assert batch.status is BatchStatus.COMPLETED
    items = client.templates.get_batch_results(batch.id).results
    codes = [item.error.code if item.error else None for item in items]
    assert codes == [None, "INVALID_VARIABLE", "INVALID_VARIABLE", "EXPRESSION_ERROR",
                     "IMAGE_FETCH_FAILED", "TEXT_OVERFLOW", "INVALID_VARIABLE"]
    assert items[1].error is not None and items[1].error.field == "title"
    assert items[2].error is not None and items[2].error.field == "count"
    assert items[6].variables == ["not", "a", "mapping"]
    for item in items[1:]:
        assert item.status is ItemStatus.FAILED
        assert item.url is None and item.path is None
        assert item.error is not None and "Traceback" not in item.error.message
    stats = client.batches.stats(batch.id)
    assert stats.failures_by_code == {"INVALID_VARIABLE": 3, "EXPRESSION_ERROR": 1,
                                      "IMAGE_FETCH_FAILED": 1, "TEXT_OVERFLOW": 1}
    assert stats.counts == {"pending": 0, "completed": 1, "failed": 6, "cancelled": 0}
    assert stats.rate_per_s is not None and stats.rate_per_s > 0


def test_status_filter_and_paging(client: Pictify, uid: str) -> None:
    rows = [{"title": f"t{i}"} if i % 5 else {} for i in range(25)]
    batch = client.render_batch(uid, rows)
    failed = client.templates.get_batch_results(batch.id, status="failed")
    assert [item.index for item in failed.results] == [0, 5, 10, 15, 20]
    assert failed.batch.failed_count == 5 and failed.batch.completed_count == 20
    seen: list[int] = []
    for offset in range(0, 25, 7):
        page = client.templates.get_batch_results(batch.id, offset=offset, limit=7)
        seen += [item.index for item in page.results]
    assert seen == list(range(25))
    page = client.templates.get_batch_results(batch.id, status="completed", offset=18, limit=5)
    assert [item.index for item in page.results] == [23, 24]
    assert client.templates.get_batch_results(batch.id, limit=0).results == []
    assert len(list(client.templates.iter_batch_results(batch.id, status="completed"))) == 20
    with pytest.raises(ValueError, match="nope"):
        client.templates.get_batch_results(batch.id, status="nope")


def test_formats_output_dir_and_public_urls(home: Path, tmp_path: Path) -> None:
    layout = write_card(tmp_path, CARD.replace('output: {filename: "{{ slug }}"}',
                                               "output: {format: jpeg}"), "jpeg.yaml")
    out = tmp_path / "custom"
    with Pictify(home=home, workers=1, public_base_url="https://cdn.example/img/") as c:
        uid = c.templates.register(layout)
        jpeg = c.render_batch(uid, [{"title": "a"}])
        assert jpeg.format == "jpeg"
        item = c.templates.get_batch_results(jpeg.id).results[0]
        assert item.url == f"https://cdn.example/img/{jpeg.id}/000000.jpg"
        webp = c.render_batch(uid, [{"title": "b"}], format="webp", quality=50, output_dir=out)
        assert webp.format == "webp" and webp.quality == 50
        item = c.templates.get_batch_results(webp.id).results[0]
        assert item.path == str(out / "000000.webp")
        assert item.url == "https://cdn.example/img/000000.webp"
        with Image.open(item.path) as image:
            assert image.format == "WEBP"
        with pytest.raises(ValueError, match="gif"):
            c.templates.batch_render(uid, [], format="gif")


def test_filenames_are_sanitised_and_unique(client: Pictify, uid: str, home: Path) -> None:
    slugs = ["../../escape", "same", "same", "CON", "a\x00b\x1fc", "", "x" * 400,
             "dots...", "ok.png"]
    batch = client.render_batch(uid, [{"title": "t", "slug": s} for s in slugs])
    folder = home / "outputs" / batch.id
    items = client.templates.get_batch_results(batch.id).results
    names = [Path(item.path).name for item in items if item.path]
    assert len(names) == len(slugs) == len(set(names))
    for item in items:
        assert item.path is not None and Path(item.path).parent == folder
    by_index = {item.index: Path(item.path).name for item in items if item.path}
    assert by_index[0] == "_.._escape.png"
    assert {by_index[1], by_index[2]} in ({"same.png", "same-2.png"}, {"same.png", "same-1.png"})
    assert by_index[3] == "_CON.png"
    assert by_index[4] == "abc.png"
    assert by_index[5] == "000005.png"
    assert len(by_index[6].encode()) <= 200
    assert by_index[7] == "dots.png"
    assert by_index[8] == "ok.png"
    assert sorted(_files(folder)) == sorted(names)


def test_layout_errors_refuse_registration(client: Pictify, tmp_path: Path) -> None:
    bad = write_card(tmp_path, "uid: x\nsize: [10, 10]\nlayers: []\nbogus: 1\n", "bad.yaml")
    with pytest.raises(LayoutError):
        client.templates.register(bad)
    with pytest.raises(KeyError, match="tmpl_unknown"):
        client.templates.batch_render("tmpl_unknown", [])


def test_empty_and_all_failed_batches(client: Pictify, uid: str) -> None:
    empty = client.render_batch(uid, [])
    assert empty.status is BatchStatus.COMPLETED and empty.total_count == 0
    failed = client.render_batch(uid, [{}, {}])
    assert failed.status is BatchStatus.FAILED and failed.failed_count == 2


def test_rendering_starts_while_rows_stream(client: Pictify, uid: str) -> None:
    events: list[ProgressEvent] = []
    first_done = threading.Event()

    def progress(event: ProgressEvent) -> None:
        events.append(event)
        if event.completed_count:
            first_done.set()

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1200):
            if i == 700:  # past the first recorded chunk: wait for images to appear
                assert first_done.wait(30), "no item rendered while rows were streaming"
            yield {"title": f"r{i}"}

    batch = client.templates.batch_render(uid, rows(), progress=progress)
    assert batch.total_count == 1200
    assert any(e.ingesting for e in events)
    done = client.batches.wait(batch.id, timeout=120)
    assert done.completed_count == 1200
    deadline = time.monotonic() + 5
    while not events[-1].status.ended and time.monotonic() < deadline:
        time.sleep(0.05)
    assert events[-1].status is BatchStatus.COMPLETED
    assert events[-1].done_count == 1200


def test_a_hung_item_times_out_and_the_batch_goes_on(fake_client: Pictify, tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))
    rows = [{"i": i} for i in range(10)] + [{"sleep": 60}] + [{"i": i} for i in range(10)]
    started = time.monotonic()
    batch = fake_client.render_batch(uid, rows)
    assert time.monotonic() - started < 20
    items = fake_client.templates.get_batch_results(batch.id).results
    assert batch.status is BatchStatus.COMPLETED
    assert batch.completed_count == 20 and batch.failed_count == 1
    hung = items[10]
    assert hung.error is not None and hung.error.code == "RENDER_TIMEOUT"
    assert "1.5 s" in hung.error.message
    assert not [n for n in _files(Path(batch.output_dir or "")) if n.startswith(TEMP_PREFIX)]


def test_a_dying_worker_fails_only_its_item(fake_client: Pictify, tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))
    rows = ([{"i": i} for i in range(8)] + [{"crash": "segfault"}]
            + [{"i": i} for i in range(8)] + [{"crash": "exit"}, {"boom": 1}, {"warn": True}])
    batch = fake_client.render_batch(uid, rows)
    items = fake_client.templates.get_batch_results(batch.id).results
    assert batch.completed_count == 17 and batch.failed_count == 3
    segv, exited, boom = items[8].error, items[17].error, items[18].error
    assert segv is not None and segv.code == "RENDER_FAILED" and "SIGSEGV" in segv.message
    assert exited is not None and exited.code == "RENDER_FAILED" and "exit code 3" in exited.message
    assert boom is not None and boom.message == "rendering failed: RuntimeError: boom 1"
    assert [w.code for w in items[19].warnings] == ["MISSING_GLYPHS"]
    assert sorted(_files(Path(batch.output_dir or ""))) == sorted(
        Path(i.path).name for i in items if i.path
    )


def test_cancel(fake_client: Pictify, tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))
    batch = fake_client.templates.batch_render(uid, [{"sleep": 0.05}] * 200)
    deadline = time.monotonic() + 20
    while fake_client.batches.get(batch.id).completed_count < 4:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    fake_client.batches.cancel(batch.id)
    done = fake_client.batches.wait(batch.id, timeout=20)
    assert done.status is BatchStatus.CANCELLED
    assert done.cancelled_count > 100
    assert done.completed_count + done.failed_count + done.cancelled_count == 200
    counts = fake_client.batches.stats(batch.id).counts
    assert counts["pending"] == 0 and counts["cancelled"] == done.cancelled_count
    cancelled = fake_client.templates.get_batch_results(batch.id, status="cancelled")
    assert all(item.path is None for item in cancelled.results)
    assert len(_files(Path(done.output_dir or ""))) == done.completed_count
    assert fake_client.batches.cancel(batch.id).status is BatchStatus.CANCELLED


def test_retry_failed(client: Pictify, uid: str, tmp_path: Path) -> None:
    photo = tmp_path / "later.png"
    rows = [{"title": "a"}, {"title": "b", "photo": "later.png"}, {"title": "c"},
            {"title": "d", "photo": "later.png"}]
    first = client.render_batch(uid, rows)
    assert first.failed_count == 2
    Image.new("RGB", (4, 4), "red").save(photo)
    retry = client.batches.retry_failed(first.id)
    assert retry.parent_id == first.id and retry.total_count == 2
    done = client.batches.wait(retry.id, timeout=60)
    assert done.status is BatchStatus.COMPLETED and done.completed_count == 2
    items = client.templates.get_batch_results(retry.id).results
    assert [(i.index, i.source_index) for i in items] == [(0, 1), (1, 3)]
    assert [i.variables for i in items] == [rows[1], rows[3]]
    assert [Path(i.path or "").name for i in items] == ["000001.png", "000003.png"]


def test_batches_share_the_pool_round_robin(home: Path, tmp_path: Path) -> None:
    with Pictify(home=home, workers=1, _renderer_factory=FACTORY) as c:
        uid = c.templates.register(write_card(tmp_path))
        a = c.templates.batch_render(uid, [{"sleep": 0.03}] * 30)
        b = c.templates.batch_render(uid, [{"sleep": 0.03}] * 30)
        a_done, b_done = c.batches.wait(a.id, timeout=30), c.batches.wait(b.id, timeout=30)
    assert a_done.completed_at is not None and b_done.completed_at is not None
    assert b_done.started_at is not None and b_done.started_at < a_done.completed_at
    # Interleaved, both end close together rather than one after the other.
    gap = abs((b_done.completed_at - a_done.completed_at).total_seconds())
    assert gap < 0.5 * (a_done.duration_ms or 0) / 1000


def test_a_second_client_reads_but_does_not_take_over(home: Path, tmp_path: Path) -> None:
    with Pictify(home=home, workers=1, _renderer_factory=FACTORY) as owner:
        uid = owner.templates.register(write_card(tmp_path))
        batch = owner.templates.batch_render(uid, [{"sleep": 0.02}] * 60)
        with Pictify(home=home, workers=1) as reader:
            assert reader.batches.resume() == []
            seen = reader.batches.get(batch.id)
            assert seen.total_count == 60
            assert reader.batches.wait(batch.id, timeout=30).status is BatchStatus.COMPLETED
            assert len(reader.templates.get_batch_results(batch.id).results) == 60


def test_closed_client_refuses_work(home: Path, tmp_path: Path) -> None:
    c = Pictify(home=home, workers=1)
    uid = c.templates.register(write_card(tmp_path))
    c.close()
    c.close()
    with pytest.raises(RuntimeError, match="closed"):
        c.templates.batch_render(uid, [])


def test_wait_times_out(fake_client: Pictify, tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))
    batch: Batch = fake_client.templates.batch_render(uid, [{"sleep": 0.5}] * 4)
    with pytest.raises(TimeoutError):
        fake_client.batches.wait(batch.id, timeout=0.1)
    events = list(fake_client.batches.watch(batch.id, interval=0.1))
    assert events[-1].status is BatchStatus.COMPLETED


def test_a_template_that_cannot_compile_fails_the_batch(home: Path, tmp_path: Path) -> None:
    with Pictify(home=home, workers=1,
                 _renderer_factory="test_batch_fakes:broken_factory") as c:
        uid = c.templates.register(write_card(tmp_path))
        batch = c.render_batch(uid, [{"i": i} for i in range(50)])
        items = c.templates.get_batch_results(batch.id, status="failed").results
    assert batch.status is BatchStatus.FAILED
    assert batch.error is not None and "font file vanished" in batch.error
    assert batch.completed_count == 0
    assert batch.failed_count + batch.cancelled_count == 50
    assert items and items[0].error is not None and items[0].error.code == "RENDER_FAILED"


def test_an_image_server_that_never_answers_times_out(home: Path, tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel does) and never answers
    port = silent.getsockname()[1]
    try:
        with Pictify(home=home, workers=2, item_timeout=1.5, allow_private_networks=True) as c:
            uid = c.templates.register(write_card(tmp_path))
            rows = [{"title": "a"}, {"title": "b", "photo": f"http://127.0.0.1:{port}/a.png"},
                    {"title": "c"}]
            batch = c.render_batch(uid, rows)
            items = c.templates.get_batch_results(batch.id).results
    finally:
        silent.close()
    assert batch.status is BatchStatus.COMPLETED
    assert [i.status for i in items] == [ItemStatus.COMPLETED, ItemStatus.FAILED,
                                         ItemStatus.COMPLETED]
    assert items[1].error is not None and items[1].error.code == "RENDER_TIMEOUT"


def test_two_clients_run_their_own_batches_on_one_home(home: Path, tmp_path: Path) -> None:
    with Pictify(home=home, workers=1, _renderer_factory=FACTORY) as one, \
            Pictify(home=home, workers=1, _renderer_factory=FACTORY) as two:
        uid = one.templates.register(write_card(tmp_path))
        a = one.templates.batch_render(uid, [{"i": i} for i in range(40)])
        b = two.templates.batch_render(uid, [{"i": i} for i in range(40)])
        assert one.batches.wait(b.id, timeout=30).completed_count == 40
        assert two.batches.wait(a.id, timeout=30).completed_count == 40
        assert {x.id for x in one.batches.list()} == {a.id, b.id}


def test_wait_with_a_progress_bar(fake_client: Pictify, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))
    batch = fake_client.templates.batch_render(uid, [{"sleep": 0.01}] * 30 + [{"boom": 1}])
    done = fake_client.batches.wait(batch.id, progress=True, timeout=30)
    assert done.completed_count == 30
    err = capsys.readouterr().err
    assert batch.id in err and "31/31" in err and "failed=1" in err


def test_rows_that_fail_to_read_fail_the_batch(fake_client: Pictify, tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1100):
            if i == 1050:
                raise OSError("the CSV file went away")
            yield {"i": i}

    with pytest.raises(OSError, match="went away"):
        fake_client.templates.batch_render(uid, rows())
    [batch] = fake_client.batches.list()
    done = fake_client.batches.wait(batch.id, timeout=30)
    assert done.status is BatchStatus.FAILED
    assert done.error == "reading the rows failed: OSError: the CSV file went away"
    assert done.total_count == 1000  # two chunks of 500 were recorded
    assert done.completed_count + done.cancelled_count == 1000


def test_a_worker_killed_from_outside_fails_its_item(home: Path, tmp_path: Path) -> None:
    with Pictify(home=home, workers=1, item_timeout=30, _renderer_factory=FACTORY) as c:
        uid = c.templates.register(write_card(tmp_path))
        batch = c.templates.batch_render(uid, [{"sleep": 20}, {"i": 1}, {"i": 2}])
        deadline = time.monotonic() + 20
        while not getattr(c._supervisor._executor, "pids", None):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # let it start the sleeping row
        os.kill(c._supervisor._executor.pids[0], signal.SIGKILL)  # type: ignore[union-attr]
        done = c.batches.wait(batch.id, timeout=20)
        items = c.templates.get_batch_results(batch.id).results
    assert done.completed_count == 2 and done.failed_count == 1
    assert items[0].error is not None and "SIGKILL" in items[0].error.message


@pytest.mark.parametrize("options", [{"workers": 0}, {"item_timeout": 0},
                                     {"webhook_retries": -1}])
def test_bad_settings_are_refused(home: Path, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        Pictify(home=home, **options)


def test_a_read_only_client_creates_nothing_and_changes_nothing(home: Path, tmp_path: Path
                                                                ) -> None:
    from pictify_raster.batch.store import StoreNotFoundError

    with pytest.raises(StoreNotFoundError, match="no store at"):
        Pictify(home=home, read_only=True)
    assert not home.exists()
    with Pictify(home=home, workers=1, _renderer_factory=FACTORY) as writer:
        uid = writer.templates.register(write_card(tmp_path))
        batch = writer.templates.batch_render(uid, [{"sleep": 0.05}] * 40)
        # A reader beside a running writer: it reads everything, starts no thread.
        threads_before = {t.name for t in threading.enumerate()}
        with Pictify(home=home, read_only=True) as reader:
            assert {t.name for t in threading.enumerate()} == threads_before
            assert reader.batches.get(batch.id).total_count == 40
            assert [b.id for b in reader.batches.list()] == [batch.id]
            for change in (lambda: reader.templates.register(write_card(tmp_path)),
                           lambda: reader.templates.batch_render(uid, [{"i": 1}]),
                           lambda: reader.batches.cancel(batch.id),
                           reader.batches.resume):
                with pytest.raises(RuntimeError, match="read-only"):
                    change()
            done = reader.batches.wait(batch.id, timeout=60)
        assert done.completed_count == 40
        assert writer.batches.get(batch.id).status is BatchStatus.COMPLETED


def test_rows_that_cannot_be_read_at_all_leave_no_batch(fake_client: Pictify,
                                                        tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))

    def rows() -> Iterator[dict[str, Any]]:
        yield {"i": 0}
        raise ValueError("line 2 is not UTF-8")

    with pytest.raises(ValueError, match="not UTF-8"):
        fake_client.templates.batch_render(uid, rows())
    assert fake_client.batches.list() == []
    assert not (fake_client.home / "outputs").exists() or \
        list((fake_client.home / "outputs").iterdir()) == []


def test_warnings_are_summed_by_code(fake_client: Pictify, tmp_path: Path) -> None:
    uid = fake_client.templates.register(write_card(tmp_path))
    rows = [{"i": i, "warn": i % 3 == 0} for i in range(10)]
    batch = fake_client.render_batch(uid, rows)
    [summary] = fake_client.batches.warnings(batch.id, examples=2)
    assert (summary.code, summary.count) == ("MISSING_GLYPHS", 4)
    assert summary.examples == [(0, "no glyph"), (3, "no glyph")]
    assert summary.to_json()["examples"][1] == {"index": 3, "message": "no glyph"}
