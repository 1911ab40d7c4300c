"""Images per second for each example layout and for card A, against the floor.

    .venv/bin/python benchmarks/bench_cards.py [--rows 1000] [--quick]

Run it with nothing else on the machine: on 2 cores, anything beside it
halves its figures. Every figure is taken in this one run, and the engine is
reported as a ratio to the floor (a minimal hand-written Pillow script for
card A, see floor_card_a.py) measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageStat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from floor_card_a import FloorCardA, encode  # noqa: E402

import pictify_raster as px  # noqa: E402
from pictify_raster.draw import Renderer  # noqa: E402
from pictify_raster.rows import read_rows  # noqa: E402

LAYOUTS = ROOT / "layouts"
CARD_A = LAYOUTS / "bench" / "card_a.yaml"
CARD_A_ROWS = LAYOUTS / "bench" / "cards_a.jsonl"
EXAMPLES = {
    "pypi_card": "pypi_top_1000.csv",
    "blog_card": "blog_posts.json",
    "certificate": "attendees.csv",
    "product_card": "products.jsonl",
}


@dataclass
class Timing:
    label: str
    images: int
    seconds: float
    cpu_seconds: float
    bytes_total: int

    @property
    def per_second(self) -> float:
        return self.images / self.seconds

    @property
    def ms(self) -> float:
        return 1000 * self.seconds / self.images

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_seconds / self.images


def rows_of(path: Path, count: int) -> list[dict[str, Any]]:
    return list(islice(cycle(list(read_rows(path))), count))


def timed(
    label: str, rows: Iterable[dict[str, Any]], draw: Callable[[dict[str, Any]], bytes]
) -> Timing:
    rows = list(rows)
    started, cpu_started = time.perf_counter(), time.process_time()
    total = sum(len(draw(row)) for row in rows)
    return Timing(
        label, len(rows), time.perf_counter() - started, time.process_time() - cpu_started, total
    )


def in_process(rows_count: int, formats: list[str]) -> list[tuple[Timing, Timing]]:
    """Engine and floor side by side, one process, same rows, same encoder."""
    rows = rows_of(CARD_A_ROWS, rows_count)
    floor = FloorCardA()
    renderer = Renderer(px.load_layout(CARD_A))
    pairs = []
    for fmt in formats:
        for row in rows[:50]:  # warm caches for both
            encode(floor.render(row), fmt)
            renderer.encode(renderer.render(row).image, fmt)
        engine = timed(
            f"engine {fmt}", rows, lambda row, f=fmt: renderer.encode(renderer.render(row).image, f)
        )
        floor_timing = timed(f"floor {fmt}", rows, lambda row, f=fmt: encode(floor.render(row), f))
        pairs.append((engine, floor_timing))
    return pairs


class ProcessSampler:
    """Samples the CPU time and peak memory of every process below this one.

    Worker processes are children of the forkserver, not of the client, so
    getrusage(RUSAGE_CHILDREN) never sees them; /proc does (Linux only).
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for pid in _descendants(os.getpid()):
                self._sample(pid)

    def _sample(self, pid: int) -> None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        ticks = os.sysconf("SC_CLK_TCK")
        self.cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                self.peak_kb[pid] = int(line.split()[1])

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu.values())

    @property
    def largest_peak_mb(self) -> float:
        return max(self.peak_kb.values(), default=0) / 1024


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [root]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


@dataclass
class BatchRun:
    timing: Timing
    first_image_s: float
    worker_peak_mb: float


def through_batches(layout: Path, rows: list[dict[str, Any]], fmt: str, workers: int) -> BatchRun:
    """The whole batch API: store, supervisor, worker processes, files on disk."""
    home = Path(tempfile.mkdtemp(prefix="pictify-bench-"))
    first: list[float] = []

    def progress(event: Any) -> None:
        if not first and event.completed_count + event.failed_count > 0:
            first.append(time.perf_counter())

    try:
        client_cpu = time.process_time()
        with ProcessSampler() as sampler:
            started = time.perf_counter()
            with px.Pictify(home=home, workers=workers) as client:
                uid = client.templates.register(layout)
                batch = client.templates.batch_render(
                    uid, variable_sets=rows, format=fmt, progress=progress
                )
                batch = client.batches.wait(batch.id)
                elapsed = time.perf_counter() - started
        cpu = sampler.total_cpu + time.process_time() - client_cpu
        sizes = sum(path.stat().st_size for path in (home / "outputs").rglob("*") if path.is_file())
        if batch.completed_count != len(rows):
            print(f"  warning: {batch.failed_count} of {len(rows)} failed", file=sys.stderr)
        timing = Timing(f"{layout.stem} {fmt} x{workers}", len(rows), elapsed, cpu, sizes)
        return BatchRun(
            timing, (first[0] if first else time.perf_counter()) - started, sampler.largest_peak_mb
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def check_output(rows: list[dict[str, Any]]) -> float:
    """The largest mean absolute pixel difference between engine and floor on 10 cards."""
    floor = FloorCardA()
    renderer = Renderer(px.load_layout(CARD_A))
    worst = 0.0
    for row in rows[:10]:
        engine = Image.open(io.BytesIO(renderer.encode(renderer.render(row).image, "png"))).convert(
            "RGB"
        )
        reference = floor.render(row).convert("RGB")
        difference = ImageStat.Stat(ImageChops.difference(engine, reference)).mean
        worst = max(worst, sum(difference) / len(difference))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="300 rows, card A only")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    rows_count = 300 if args.quick else args.rows
    formats = ["png", "jpeg", "webp"]
    cores = os.cpu_count() or 1
    report: dict[str, Any] = {"cores": cores, "rows": rows_count}

    print(f"# card A, in one process, {rows_count} rows after 50 warm-up rows\n")
    print(
        "| format | engine img/s | floor img/s | engine ms | engine CPU ms | floor CPU ms | CPU ratio | bytes/img |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for engine, floor in in_process(rows_count, formats):
        ratio = engine.cpu_ms / floor.cpu_ms
        print(
            f"| {engine.label.split()[1]} | {engine.per_second:.1f} | {floor.per_second:.1f} | {engine.ms:.2f} "
            f"| {engine.cpu_ms:.2f} | {floor.cpu_ms:.2f} | {ratio:.2f}x | {engine.bytes_total // engine.images:,} |"
        )
        report[f"in_process_{engine.label.split()[1]}"] = {
            "engine_per_s": engine.per_second,
            "floor_per_s": floor.per_second,
            "cpu_ratio": ratio,
        }

    layouts = [(CARD_A, rows_of(CARD_A_ROWS, rows_count))]
    if not args.quick:
        layouts += [
            (LAYOUTS / f"{name}.yaml", rows_of(LAYOUTS / "data" / data, rows_count))
            for name, data in EXAMPLES.items()
        ]
    print(f"\n# through the batch API (store, workers, files), {rows_count} rows\n")
    print(
        "| layout | format | workers | img/s | img/s per worker | CPU ms/img, all processes "
        "| first image s | worker peak MB | bytes/img |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for layout, rows in layouts:
        for fmt in formats if layout == CARD_A else ["png"]:
            for workers in sorted({1, cores}):
                run = through_batches(layout, rows, fmt, workers)
                timing = run.timing
                print(
                    f"| {layout.stem} | {fmt} | {workers} | {timing.per_second:.1f} | "
                    f"{timing.per_second / workers:.1f} | {timing.cpu_ms:.2f} | "
                    f"{run.first_image_s:.2f} | {run.worker_peak_mb:.0f} | "
                    f"{timing.bytes_total // timing.images:,} |"
                )
                report[f"batch_{layout.stem}_{fmt}_{workers}"] = timing.per_second

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory of the client (this process): {peak_mb:.0f} MB")
    print(
        f"engine vs floor, mean pixel difference on 10 cards: {check_output(layouts[0][1]):.2f} / 255"
    )
    report.update(client_peak_mb=peak_mb)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
