"""The Dask executor on a real LocalCluster of two worker processes: the same images as the
local pool, time limits enforced on the workers, a killed worker loses nothing, cancel,
resume after the client dies, and outputs behind an fsspec URL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from PIL import Image  # noqa: E402
from test_batch_fakes import CARD, FACTORY, write_card  # noqa: E402

import pictify_raster as px  # noqa: E402
from pictify_raster.batch import BatchStatus, ItemResult, ItemStatus, Pictify  # noqa: E402
from pictify_raster.batch.dask_executor import DaskExecutor  # noqa: E402
from pictify_raster.batch.outputs import TEMP_PREFIX  # noqa: E402
from pictify_raster.batch.store import Store  # noqa: E402

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture
def dask_client(cluster: Any) -> Iterator[Any]:
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)
        yield client


class CountingExecutor(DaskExecutor):
    """Counts every ItemResult handed to the supervisor, by index."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reported: Counter[int] = Counter()

    def collect(self, timeout: float) -> list[ItemResult]:
        results = super().collect(timeout)
        self.reported.update(r.index for r in results)
        return results


def _worker_pids(client: Any) -> dict[str, int]:
    return dict(client.run(os.getpid))


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _check_outputs(folder: Path, items: list[Any]) -> None:
    """Files on disk are exactly the completed items' files; no temporary is left."""
    names = {Path(i.path).name for i in items if i.status is ItemStatus.COMPLETED}
    assert _files(folder) == names
    assert not any(n.startswith(TEMP_PREFIX) for n in _files(folder))


def test_importing_pictify_raster_does_not_import_dask() -> None:
    code = ("import sys, pictify_raster as px; px.DaskExecutor; "
            "assert not {'dask', 'distributed', 'fsspec'} & set(sys.modules), "
            "sorted(m for m in sys.modules if m.startswith(('dask', 'distributed', 'fsspec')))")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_an_unreachable_scheduler_is_named() -> None:
    with pytest.raises(ConnectionError, match=r"tcp://127\.0\.0\.1:9"):
        DaskExecutor("tcp://127.0.0.1:9", connect_timeout=1)


def test_200_rows_match_the_local_pool_pixel_for_pixel(tmp_path: Path, cluster: Any) -> None:
    layout = write_card(tmp_path)
    rows = [{"title": f"Card {i}", "count": [1, 2, 5, 10][i % 4],
             **({"slug": f"slug-{i}"} if i % 3 == 0 else {})} for i in range(200)]
    rows[13] = {"title": "Broken", "count": 0}  # 10 / 0: fails, the same way on both

    def run(home: Path, executor: Any) -> tuple[Any, list[Any]]:
        with Pictify(home=home, workers=2, item_timeout=20, executor=executor) as client:
            batch = client.templates.batch_render(client.templates.register(layout), rows)
            done = client.batches.wait(batch.id, timeout=120)
            return done, client.templates.get_batch_results(batch.id).results

    local_done, local_items = run(tmp_path / "local", None)
    executor = CountingExecutor(cluster.scheduler_address)
    dask_done, dask_items = run(tmp_path / "dask", executor)

    assert dask_done.status is BatchStatus.COMPLETED
    assert (dask_done.completed_count, dask_done.failed_count) == (199, 1)
    assert (local_done.completed_count, local_done.failed_count) == (199, 1)
    assert executor.reported == Counter(range(200))  # each item reported once
    folder = Path(dask_done.output_dir or "")
    assert folder == tmp_path / "dask" / "outputs" / dask_done.id
    _check_outputs(folder, dask_items)
    for mine, theirs in zip(dask_items, local_items, strict=True):
        assert (mine.index, mine.status) == (theirs.index, theirs.status)
        if mine.status is ItemStatus.FAILED:
            assert mine.error.code == theirs.error.code == "EXPRESSION_ERROR"
            continue
        assert Path(mine.path).name == Path(theirs.path).name
        assert mine.url == Path(mine.path).as_uri()
        with Image.open(mine.path) as a, Image.open(theirs.path) as b:
            assert a.size == b.size == (120, 60)
            assert a.tobytes() == b.tobytes(), mine.index


def test_a_hung_item_times_out_on_the_worker_and_the_rest_complete(
        tmp_path: Path, cluster: Any, dask_client: Any) -> None:
    pids = _worker_pids(dask_client)
    rows: list[dict[str, Any]] = [{"i": i} for i in range(40)]
    rows[5] = {"sleep": 600}
    rows[22] = {"crash": "segfault"}
    executor = CountingExecutor(cluster.scheduler_address)
    started = time.monotonic()
    with Pictify(home=tmp_path / "home", item_timeout=1.5, executor=executor,
                 _renderer_factory=FACTORY) as client:
        assert executor.item_timeout == 1.5  # taken from the client
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, rows)
        done = client.batches.wait(batch.id, timeout=60)
        items = client.templates.get_batch_results(batch.id).results
        retry = client.batches.wait(client.batches.retry_failed(batch.id).id, timeout=60)
        retried = client.templates.get_batch_results(retry.id).results
    assert time.monotonic() - started < 30
    assert retry.parent_id == batch.id and retry.total_count == 2
    assert [i.error.code for i in retried] == ["RENDER_TIMEOUT", "RENDER_FAILED"]
    assert done.status is BatchStatus.COMPLETED
    assert (done.completed_count, done.failed_count) == (38, 2)
    failed = {i.index: i.error for i in items if i.status is ItemStatus.FAILED}
    assert failed[5].code == "RENDER_TIMEOUT" and "1.5 s" in failed[5].message
    assert failed[22].code == "RENDER_FAILED" and "SIGSEGV" in failed[22].message
    assert executor.reported == Counter(range(40)) + Counter(range(2))  # and the retry's
    _check_outputs(Path(done.output_dir or ""), items)
    assert _worker_pids(dask_client) == pids  # the Dask workers themselves lived on


def test_a_dask_worker_killed_mid_batch_loses_no_item(
        tmp_path: Path, cluster: Any, dask_client: Any) -> None:
    pids = _worker_pids(dask_client)
    total = 160
    executor = CountingExecutor(cluster.scheduler_address)
    with Pictify(home=tmp_path / "home", item_timeout=20, executor=executor,
                 _renderer_factory=FACTORY) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(
            uid, [{"i": i, "sleep": 0.03} for i in range(total)])
        deadline = time.monotonic() + 30
        while client.batches.get(batch.id).completed_count < 30:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        victim = next(iter(pids.values()))
        os.kill(victim, signal.SIGKILL)
        done = client.batches.wait(batch.id, timeout=60)
        items = client.templates.get_batch_results(batch.id).results
    assert done.status is BatchStatus.COMPLETED
    assert done.completed_count + done.failed_count == total == len(items)
    assert done.completed_count == total, [i.error for i in items if i.error]
    assert executor.reported == Counter(range(total))  # each item ended exactly once
    _check_outputs(Path(done.output_dir or ""), items)
    dask_client.wait_for_workers(2, timeout=30)  # the nanny brought it back
    assert victim not in _worker_pids(dask_client).values()


def test_cancel_drops_waiting_chunks_and_leaves_no_task(
        tmp_path: Path, cluster: Any, dask_client: Any) -> None:
    executor = DaskExecutor(cluster.scheduler_address)
    with Pictify(home=tmp_path / "home", item_timeout=20, executor=executor,
                 _renderer_factory=FACTORY) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"i": i, "sleep": 0.1} for i in range(80)])
        while client.batches.get(batch.id).completed_count < 4:
            time.sleep(0.02)
        client.batches.cancel(batch.id)
        done = client.batches.wait(batch.id, timeout=30)
        items = client.templates.get_batch_results(batch.id).results
    assert done.status is BatchStatus.CANCELLED
    assert done.completed_count + done.failed_count + done.cancelled_count == 80
    assert done.cancelled_count > 40
    _check_outputs(Path(done.output_dir or ""), items)
    tasks = dask_client.run_on_scheduler(
        lambda dask_scheduler: [k for k in dask_scheduler.tasks if "pictify" in str(k)])
    assert tasks == []


CHILD = textwrap.dedent("""
    import sys
    import pictify_raster as px

    if __name__ == "__main__":
        home, layout, address = sys.argv[1], sys.argv[2], sys.argv[3]
        with px.Pictify(home=home, item_timeout=20, executor=px.DaskExecutor(address),
                        _renderer_factory="test_batch_fakes:make_renderer") as client:
            uid = client.templates.register(layout)
            batch = client.templates.batch_render(
                uid, [{"i": i, "sleep": 0.05} for i in range(120)])
            print("RECORDED", batch.id, flush=True)
            client.batches.wait(batch.id)
            print("DONE", flush=True)
""")


def test_resume_after_the_client_dies(tmp_path: Path, cluster: Any) -> None:
    home = tmp_path / "home"
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, str(script), str(home), str(write_card(tmp_path)),
         cluster.scheduler_address],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("RECORDED"), line
        batch_id = line.split()[1]
        store_path = home / "outputs" / batch_id
        deadline = time.monotonic() + 30
        while sum(1 for p in store_path.iterdir() if not p.name.startswith(".")) < 15:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    store = Store(home)
    record = store.get_batch(batch_id)
    assert record is not None and record.batch.status is BatchStatus.PROCESSING
    finished = {row.index for row in store.get_items(batch_id, status="completed")}
    store.close()
    assert 15 <= len(finished) < 120
    executor = CountingExecutor(cluster.scheduler_address)
    with Pictify(home=home, item_timeout=20, executor=executor,
                 _renderer_factory=FACTORY) as client:
        done = client.batches.wait(batch_id, timeout=60)
        items = client.templates.get_batch_results(batch_id).results
    assert done.status is BatchStatus.COMPLETED and done.completed_count == 120
    # Only the unfinished items rendered again, each reported once.
    assert executor.reported == Counter(set(range(120)) - finished)
    _check_outputs(Path(done.output_dir or ""), items)


def test_outputs_behind_an_fsspec_file_url(tmp_path: Path, cluster: Any) -> None:
    pytest.importorskip("fsspec")
    target = tmp_path / "shared"
    executor = DaskExecutor(cluster.scheduler_address, outputs=target.as_uri())
    with px.Pictify(home=tmp_path / "home", executor=executor) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"title": f"T {i}"} for i in range(12)])
        done = client.batches.wait(batch.id, timeout=60)
        items = client.templates.get_batch_results(batch.id).results
    assert done.completed_count == 12
    assert done.output_dir == f"{target.as_uri()}/{batch.id}"
    assert not (tmp_path / "home" / "outputs" / batch.id).exists()
    names = {f"{i:06d}.png" for i in range(12)}
    for item in items:
        assert item.url == item.path == f"{target.as_uri()}/{batch.id}/{item.index:06d}.png"
    assert _files(target / batch.id) == names  # no temporary left
    for name in names:
        with Image.open(target / batch.id / name) as image:
            assert image.size == (120, 60)


def test_outputs_in_fsspec_memory_with_an_in_process_cluster(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as local:
        executor = DaskExecutor(local.scheduler_address, outputs="memory://pictify-test",
                                isolate=False)
        with Pictify(home=tmp_path / "home", executor=executor,
                     public_base_url="https://cdn.example/cards") as client:
            uid = client.templates.register(write_card(tmp_path, CARD))
            batch = client.templates.batch_render(
                uid, [{"title": f"M {i}", "slug": f"m-{i}"} for i in range(6)])
            done = client.batches.wait(batch.id, timeout=60)
            items = client.templates.get_batch_results(batch.id).results
    assert done.completed_count == 6
    keys = sorted(memory.ls(f"/pictify-test/{batch.id}", detail=False))
    assert keys == [f"/pictify-test/{batch.id}/m-{i}.png" for i in range(6)]
    for item in items:
        assert item.url == f"https://cdn.example/cards/{batch.id}/m-{item.index}.png"
        assert item.path == f"memory://pictify-test/{batch.id}/m-{item.index}.png"
        with memory.open(item.path) as handle, Image.open(handle) as image:
            assert image.size == (120, 60)
    memory.rm(f"/pictify-test/{batch.id}", recursive=True)


def test_tasks_lost_to_a_cluster_restart_are_submitted_again(
        tmp_path: Path, cluster: Any, dask_client: Any) -> None:
    executor = CountingExecutor(cluster.scheduler_address)
    with Pictify(home=tmp_path / "home", item_timeout=20, executor=executor,
                 _renderer_factory=FACTORY) as client:
        uid = client.templates.register(write_card(tmp_path))
        batch = client.templates.batch_render(uid, [{"i": i, "sleep": 0.03} for i in range(80)])
        while client.batches.get(batch.id).completed_count < 10:
            time.sleep(0.02)
        dask_client.restart(wait_for_workers=False)
        done = client.batches.wait(batch.id, timeout=60)
        items = client.templates.get_batch_results(batch.id).results
    assert done.status is BatchStatus.COMPLETED and done.completed_count == 80
    assert executor.reported == Counter(range(80))
    _check_outputs(Path(done.output_dir or ""), items)
    dask_client.wait_for_workers(2, timeout=30)
