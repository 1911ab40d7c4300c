"""Durability: a client killed at any moment, then the same home opened again."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from PIL import Image
from test_batch_fakes import CARD, FACTORY, write_card

from pictify_raster.batch import BatchStatus, ItemStatus, Pictify
from pictify_raster.batch.client import INTERRUPTED
from pictify_raster.batch.outputs import TEMP_PREFIX
from pictify_raster.batch.store import Outcome, Store

TESTS = Path(__file__).resolve().parent
DEAD_OWNER = f"{socket.gethostname()}:999999999:dead"


def _orphan(home: Path) -> None:
    """Make every batch look owned by a client that died."""
    store = Store(home)
    with store.transaction() as conn:
        conn.execute("UPDATE batches SET owner = ?, heartbeat_at = ?", (DEAD_OWNER, time.time()))
    store.close()


def _check_outputs(folder: Path, items: list, size: tuple[int, int] = (120, 60)) -> None:
    """Files on disk are exactly the completed items' files, each one whole."""
    names = {Path(item.path).name for item in items if item.status is ItemStatus.COMPLETED}
    assert len(names) == sum(1 for i in items if i.status is ItemStatus.COMPLETED)
    on_disk = {p.name for p in folder.iterdir()}
    assert on_disk == names, (sorted(on_disk - names), sorted(names - on_disk))
    for name in names:
        with Image.open(folder / name) as image:
            image.load()
            assert image.size == size


def test_resume_removes_strays_and_renders_what_is_left(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Pictify(home=home, workers=1, resume=False) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"title": f"t{i}"} for i in range(6)])
    store = Store(home)
    folder = Path(store.get_batch(batch.id).batch.output_dir)  # type: ignore[union-attr]
    # Rewind to a crash state: items 0-1 completed, item 2 renamed into place but not
    # recorded, temporaries of a worker, a pending item whose file is stale.
    with store.transaction() as conn:
        conn.execute("UPDATE items SET status = 'pending', path = NULL, ended_at = NULL, "
                     "error_code = NULL WHERE batch_id = ?", (batch.id,))
        conn.execute("UPDATE batches SET status = 'processing', completed_count = 0, "
                     "failed_count = 0, cancelled_count = 0, completed_at = NULL")
    for path in folder.iterdir():
        path.unlink()
    store.record_outcomes(batch.id, [Outcome(0, ItemStatus.COMPLETED, path="000000.png"),
                                     Outcome(1, ItemStatus.COMPLETED, path="000001.png")])
    Image.new("RGB", (120, 60), "green").save(folder / "000000.png")
    Image.new("RGB", (120, 60), "green").save(folder / "000001.png")
    store.plan_paths(batch.id, [(2, "000002.png")])
    (folder / "000002.png").write_bytes(b"stale")
    (folder / f"{TEMP_PREFIX}{batch.id}-3-123.png").write_bytes(b"partial")
    store.close()
    _orphan(home)

    with Pictify(home=home, workers=1) as client:
        assert client.batches.resume() == [batch.id]
        done = client.batches.wait(batch.id, timeout=60)
        items = client.templates.get_batch_results(batch.id).results
    assert done.status is BatchStatus.COMPLETED and done.completed_count == 6
    _check_outputs(folder, items)
    with Image.open(folder / "000000.png") as kept:  # completed before: not rendered again
        assert kept.getpixel((60, 30)) == (0, 128, 0)


def test_a_batch_whose_rows_were_not_all_recorded_fails(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Pictify(home=home, workers=1, resume=False, _renderer_factory=FACTORY) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.render_batch(uid, [{"i": i} for i in range(4)])
    store = Store(home)
    with store.transaction() as conn:
        conn.execute("UPDATE batches SET status = 'processing', ingest_done = 0, "
                     "completed_count = 2, cancelled_count = 0, completed_at = NULL")
        conn.execute("UPDATE items SET status = 'pending', path = NULL WHERE idx >= 2")
    store.close()
    _orphan(home)
    with Pictify(home=home, workers=1) as client:
        done = client.batches.get(batch.id)
        assert done.status is BatchStatus.FAILED and done.error == INTERRUPTED
        assert (done.completed_count, done.cancelled_count) == (2, 2)
        assert client.batches.resume() == []


CHILD = textwrap.dedent("""
    import sys
    from pictify_raster.batch import Pictify

    if __name__ == "__main__":
        home, layout, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
        with Pictify(home=home, workers=2, item_timeout=20,
                     _renderer_factory="test_batch_fakes:make_slow_renderer") as client:
            if not client.batches.list():
                uid = client.templates.register(layout)
                data = [{"title": f"Row {i}", "delay": 0.4,
                         **({"slug": f"row-{i % 20}"} if i % 2 else {})} for i in range(rows)]
                batch = client.templates.batch_render(uid, data)
                print("RECORDED", batch.id, flush=True)
            for batch in client.batches.list():
                client.batches.wait(batch.id)
            print("DONE", flush=True)
""")


def _assert_no_partial_files(folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue  # temporaries are hidden and swept on resume
        with Image.open(path) as image:
            image.load()


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume(tmp_path: Path) -> None:
    rows, kills = 60, 20
    home = tmp_path / "home"
    layout = write_card(tmp_path, CARD)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    rng = random.Random(20260129)
    done_early = False
    started = time.monotonic()
    for kill in range(kills):
        child = subprocess.Popen(
            [sys.executable, str(script), str(home), str(layout), str(rows)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
        )
        if kill == 0:
            assert child.stdout is not None
            assert child.stdout.readline().startswith("RECORDED")
            time.sleep(rng.uniform(0.0, 3.0))
        else:
            # Start-up takes about 2.5 s (imports, workers, fonts), so some kills land
            # during start-up and clean-up, most while rows render.
            time.sleep(rng.uniform(0.8, 3.8))
        child.send_signal(signal.SIGKILL)
        child.wait()
        output = child.stdout.read() if child.stdout else ""
        if "DONE" in output:
            done_early = True
            break
        _progress(home, kill)
        for folder in (home / "outputs").glob("*"):
            _assert_no_partial_files(folder)
    assert time.monotonic() - started < 85

    with Pictify(home=home, workers=2) as client:
        [batch] = client.batches.list()
        done = client.batches.wait(batch.id, timeout=60)
        items = list(client.templates.iter_batch_results(batch.id))
        counts = client.batches.stats(batch.id).counts
    assert done.status is BatchStatus.COMPLETED, done
    assert done.total_count == rows == len(items)
    assert done.completed_count == rows and done.failed_count == 0
    assert counts == {"pending": 0, "completed": rows, "failed": 0, "cancelled": 0}
    assert [item.index for item in items] == list(range(rows))
    _check_outputs(Path(done.output_dir or ""), items)
    slugged = [Path(i.path or "").name for i in items if i.index % 2]
    assert all(name.startswith("row-") for name in slugged)
    assert not done_early or kill > 5, "the batch finished before the kills could test much"


def _progress(home: Path, kill: int) -> None:
    if not (home / "pictify.sqlite3").exists():
        return
    store = Store(home)
    for record in store.list_batches():
        print(f"kill {kill}: {record.batch.status} {record.batch.completed_count}")
    store.close()


def test_closing_mid_batch_then_reopening_finishes_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Pictify(home=home, workers=2, _renderer_factory=FACTORY) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"sleep": 0.05, "i": i} for i in range(60)])
        while client.batches.get(batch.id).completed_count < 5:
            time.sleep(0.02)
    store = Store(home)
    record = store.get_batch(batch.id)
    assert record is not None and record.owner is None  # released on close
    assert record.batch.status is BatchStatus.PROCESSING and record.batch.completed_count < 60
    store.close()
    with Pictify(home=home, workers=2, _renderer_factory=FACTORY) as client:
        done = client.batches.wait(batch.id, timeout=30)
        items = list(client.templates.iter_batch_results(batch.id))
    assert done.status is BatchStatus.COMPLETED and done.completed_count == 60
    _check_outputs(Path(done.output_dir or ""), items, size=(8, 8))
