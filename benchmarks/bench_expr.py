"""Evaluations per second of typical card expressions (a plain script, not a test).

    .venv/bin/python benchmarks/bench_expr.py [--seconds 0.3]

Each template is compiled once, as a layout does, then evaluated against one
row over and over; the table shows evaluations per second and µs per call.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from pictify_raster.expr import compile_template

ROW: dict[str, Any] = {
    "title": "How we render ten thousand social cards a minute without a browser",
    "author": {"name": "Ada Lovelace", "avatar": "https://example.com/ada.png"},
    "tags": ["python", "pillow", "images"],
    "price": 1299.9,
    "old_price": "1,499.00",
    "rating": 4,
    "count": 3,
    "published": "2024-01-05T10:30:00Z",
    "discount": 0.25,
}

CASES: list[tuple[str, str]] = [
    ("plain variable", "{{ title }}"),
    ("constant text", "Read more"),
    ("path", "{{ author.name }}"),
    ("upper filter", "{{ author.name | upper }}"),
    ("truncate", "{{ title | truncate(40) }}"),
    ("default", "{{ subtitle | default('No subtitle') }}"),
    ("mixed text", "By {{ author.name }} · {{ count }} min read"),
    ("conditional", "{{ count == 1 ? 'item' : 'items' }}"),
    ("plural", "{{ count }} {{ count | plural('item', 'items') }}"),
    ("visible test", "{{ author.avatar != null }}"),
    ("arithmetic", "{{ price * (1 - discount) | round(2) }}"),
    ("coalesce", "{{ subtitle ?? author.name ?? 'Anonymous' }}"),
    ("join", "{{ tags | join(' · ') }}"),
    ("initials", "{{ author.name | initials }}"),
    ("stars", "{{ '★' * rating + '☆' * (5 - rating) }}"),
    ("currency en_US", "{{ price | currency('USD') }}"),
    ("currency de_DE", "{{ price | currency('EUR', 'de_DE') }}"),
    ("number from text", "{{ old_price | number(2) }}"),
    ("percent", "{{ discount | percent }}"),
    ("date long", "{{ published | date('long') }}"),
]


def rate(source: str, seconds: float) -> tuple[int, float]:
    """(evaluations per second, µs per evaluation) of one compiled template."""
    template = compile_template(source)
    template.evaluate(ROW)  # warm caches (locales, patterns) before timing
    calls, start = 0, time.perf_counter()
    batch = 200
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(batch):
            template.evaluate(ROW)
        calls += batch
    per_second = int(calls / elapsed)
    return per_second, 1e6 / per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.3, help="time per expression")
    args = parser.parse_args()
    print(f"{'case':<18} {'evals/s':>11} {'µs/eval':>9}  template")
    print(f"{'-' * 18} {'-' * 11} {'-' * 9}  {'-' * 40}")
    for name, source in CASES:
        per_second, micros = rate(source, args.seconds)
        print(f"{name:<18} {per_second:>11,} {micros:>9.2f}  {source}")


if __name__ == "__main__":
    main()
