"""Text layout time per card for the reference card (card A).

Plain script: ``python benchmarks/bench_text.py [rows.jsonl] [--rows N]``.
Lays out (and separately draws) the four text layers of card A for each row:
the category pill (natural width), the title (1000x230, 3 lines, ellipsis),
the author and the date line, and prints milliseconds per card.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pictify_raster.text import TextStyle, default_registry, layout_text  # noqa: E402

DEFAULT_ROWS = Path("/work/shared/bench/card_a/cards_a.jsonl")

PILL = TextStyle(family="DejaVu Sans", weight=700, size=24, color=(0x5B, 0x21, 0xB6, 255))
TITLE = TextStyle(family="DejaVu Sans", weight=700, size=60, color=(0x11, 0x18, 0x27, 255),
                  line_height=1.2, max_lines=3, overflow="ellipsis")
AUTHOR = TextStyle(family="DejaVu Sans", weight=700, size=28, color=(0x11, 0x18, 0x27, 255))
DATE = TextStyle(family="DejaVu Sans", size=24, color=(0x6B, 0x72, 0x80, 255))


def layers(row: dict[str, object]) -> list[tuple[str, TextStyle, tuple[int, int, int, int], bool]]:
    return [
        (str(row["category"]), PILL, (116, 108, 400, 28), False),
        (str(row["title"]), TITLE, (100, 170, 1000, 230), True),
        (str(row["author"]), AUTHOR, (216, 450, 800, 34), False),
        (f"{row['date']} · {row['readTime']}", DATE, (216, 490, 800, 30), False),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="?", type=Path, default=DEFAULT_ROWS)
    parser.add_argument("--rows", dest="count", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines()]
    start = time.perf_counter()
    registry = default_registry()
    registry.resolve("DejaVu Sans")
    print(f"registry ready in {(time.perf_counter() - start) * 1000:.0f} ms "
          f"({len(registry.faces)} faces)")
    canvas = Image.new("RGBA", (1200, 630), (255, 255, 255, 255))
    for row in rows[: args.warmup]:
        for text, style, box, wraps in layers(row):
            layout_text(text, style, box[2] if wraps else None, box[3] if wraps else None,
                        registry).draw(canvas, box)
    chosen = rows[args.warmup : args.warmup + args.count]
    layout_ms, draw_ms = [], []
    truncated = 0
    for row in chosen:
        t0 = time.perf_counter()
        blocks = []
        for text, style, box, wraps in layers(row):
            block = layout_text(text, style, box[2] if wraps else None,
                                box[3] if wraps else None, registry)
            blocks.append((block, box))
            truncated += block.truncated
        t1 = time.perf_counter()
        for block, box in blocks:
            block.draw(canvas, box)
        t2 = time.perf_counter()
        layout_ms.append((t1 - t0) * 1000)
        draw_ms.append((t2 - t1) * 1000)
    print(f"{len(chosen)} cards, {truncated} truncated titles")
    print(f"text layout per card: median {statistics.median(layout_ms):.2f} ms, "
          f"mean {statistics.mean(layout_ms):.2f} ms, max {max(layout_ms):.2f} ms")
    print(f"text drawing per card: median {statistics.median(draw_ms):.2f} ms, "
          f"mean {statistics.mean(draw_ms):.2f} ms")


if __name__ == "__main__":
    main()
