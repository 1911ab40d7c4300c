"""Images per second: the local process pool against the Dask executor, for the same rows.

    .venv/bin/python benchmarks/bench_dask.py [--rows 600] [--workers 2]

The Dask figures use a LocalCluster on this machine (``--workers`` processes of one
thread each), once with each chunk in a worker-side helper process (the default, which
enforces time limits) and once rendering in the Dask worker's own thread
(``isolate=False``). Each executor first renders a small warm-up batch (start-up,
compiling the layout, fonts), then the timed batch. Run it with nothing else on the
machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import pictify_raster as px  # noqa: E402
from pictify_raster.rows import read_rows  # noqa: E402

CARD_A = ROOT / "layouts" / "bench" / "card_a.yaml"
CARD_A_ROWS = ROOT / "layouts" / "bench" / "cards_a.jsonl"
WARM_UP = 40


def _rows(count: int) -> list[dict[str, Any]]:
    return list(islice(cycle(list(read_rows(CARD_A_ROWS))), count))


def _run(home: Path, executor: Any, workers: int, rows: list[dict[str, Any]]) -> tuple[float, int]:
    """Seconds for the timed batch (after a warm-up batch) and its completed count."""
    with px.Pictify(home=home, workers=workers, item_timeout=60, executor=executor) as client:
        uid = client.templates.register(CARD_A)
        warm = client.templates.batch_render(uid, rows[:WARM_UP])
        client.batches.wait(warm.id)
        started = time.perf_counter()
        batch = client.templates.batch_render(uid, rows)
        done = client.batches.wait(batch.id)
        return time.perf_counter() - started, done.completed_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from distributed import LocalCluster

    rows = _rows(args.rows)
    scratch = Path(tempfile.mkdtemp(prefix="bench-dask-"))
    table: list[tuple[str, float, int]] = []
    try:
        seconds, done = _run(scratch / "pool", None, args.workers, rows)
        table.append((f"local pool, {args.workers} processes", seconds, done))
        started = time.perf_counter()
        with LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1,
                          dashboard_address=None) as cluster:
            boot = time.perf_counter() - started
            cases: list[tuple[str, Callable[[], Any]]] = [
                ("Dask LocalCluster, helper process per thread (default)",
                 lambda: px.DaskExecutor(cluster.scheduler_address)),
                ("Dask LocalCluster, isolate=False (no time limits)",
                 lambda: px.DaskExecutor(cluster.scheduler_address, isolate=False)),
            ]
            for index, (label, make) in enumerate(cases):
                seconds, done = _run(scratch / f"dask{index}", make(), args.workers, rows)
                table.append((label, seconds, done))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    base = table[0][1] / max(table[0][2], 1)
    print(f"card A, {args.rows} rows, {args.workers} workers "
          f"(LocalCluster start-up {boot:.1f} s, not counted)")
    print(f"{'executor':<58} {'images':>6} {'seconds':>8} {'img/s':>7} {'vs pool':>8}")
    for label, seconds, done in table:
        rate = done / seconds if seconds else 0.0
        ratio = (seconds / max(done, 1)) / base if base else 0.0
        print(f"{label:<58} {done:>6} {seconds:>8.2f} {rate:>7.1f} {1 / ratio:>7.2f}x")


if __name__ == "__main__":
    main()
