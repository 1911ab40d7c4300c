"""Peak memory of the batch client for 10,000 and 100,000 rows of a small card.

Each size runs in a fresh process, so peaks do not mix: the client streams rows from
a generator into a temporary home, waits for the batch, and reports its own peak RSS
(the supervisor, store and row stream; the largest worker's peak is shown apart). Memory that
grows with the row count would show as a gap between the two lines.

    python benchmarks/bench_batch_memory.py [--sizes 10000 100000] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CARD = """\
uid: bench_memory_card
name: Memory benchmark card
size: [200, 100]
background: "#1e3a8a"
variables:
  title: {type: string, required: true}
  n: {type: integer}
layers:
  - type: rect
    box: [8, 8, 184, 84]
    radius: 10
    fill: "#ffffffeb"
  - type: text
    box: [16, 16, 168, 40]
    content: "{{ title }}"
    font: {family: Noto Sans, weight: 700, size: 16}
    color: "#111827"
    max_lines: 2
  - type: text
    box: [16, 64, 168, 20]
    content: "#{{ n }}"
    font: {family: Noto Sans, size: 12}
    color: "#6b7280"
"""


def _peak_mib(who: int) -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _worker_peak_mib(client: object) -> float:
    """The largest peak RSS among the pool's workers (Linux /proc; 0 elsewhere)."""
    executor = getattr(getattr(client, "_supervisor", None), "_executor", None)
    peaks = [0.0]
    for pid in getattr(executor, "pids", []):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def run_one(rows: int, workers: int | None) -> dict[str, float]:
    """Render ``rows`` rows in this process; return timings and peaks."""
    from pictify_raster.batch import Pictify

    with tempfile.TemporaryDirectory(prefix="pictify-bench-") as tmp:
        layout = Path(tmp) / "card.yaml"
        layout.write_text(CARD, encoding="utf-8")
        started = time.perf_counter()
        with Pictify(home=Path(tmp) / "home", workers=workers) as client:
            uid = client.templates.register(layout)
            stream = ({"title": f"Row number {i} of the benchmark", "n": i} for i in range(rows))
            batch = client.templates.batch_render(uid, stream)
            recorded = time.perf_counter() - started
            done = client.batches.wait(batch.id)
            worker_peak = _worker_peak_mib(client)
        elapsed = time.perf_counter() - started
        return {
            "rows": rows,
            "completed": done.completed_count,
            "failed": done.failed_count,
            "recorded_s": recorded,
            "elapsed_s": elapsed,
            "client_peak_mib": _peak_mib(resource.RUSAGE_SELF),
            "worker_peak_mib": worker_peak,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.workers)))
        return

    workers = args.workers or os.cpu_count() or 1
    print(f"batch client peak memory, small 200x100 card, {workers} workers")
    print(f"{'rows':>8} {'done':>8} {'failed':>6} {'recorded s':>10} {'total s':>8} "
          f"{'img/s':>7} {'client MiB':>10} {'worker MiB':>10}")
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--workers", str(workers)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        rate = r["completed"] / r["elapsed_s"] if r["elapsed_s"] else 0.0
        print(f"{r['rows']:>8} {r['completed']:>8} {r['failed']:>6} {r['recorded_s']:>10.1f} "
              f"{r['elapsed_s']:>8.1f} {rate:>7.0f} {r['client_peak_mib']:>10.1f} "
              f"{r['worker_peak_mib']:>10.1f}")


if __name__ == "__main__":
    main()
