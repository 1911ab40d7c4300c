"""Evaluations per second of typical card expressions (a plain script, not a test).

    .venv/bin/python benchmarks/bench_expr.py [--seconds 0.3]

Each template is compiled once, as a layout does, then evaluated against one
row over and over; the table shows evaluations per second and µs per call.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
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


def blog_card_share(rounds: int = 200) -> tuple[float, float]:
    """(µs for every expression of the blog card, µs to render the row) for one row."""
    import json

    from pictify_raster.draw import Renderer
    from pictify_raster.layout import Scope, Value, load_layout, prepare_row

    root = Path(__file__).resolve().parent.parent / "layouts"
    layout = load_layout(root / "blog_card.yaml")
    row = json.loads((root / "data" / "blog_posts.json").read_text("utf-8"))[0]
    values = [
        layout.background,
        *(v for e in layout.elements() for v in _values(e.props)),
        *(e.box for e in layout.elements() if e.box is not None),
    ]
    dynamic = [value for value in values if isinstance(value, Value) and not value.is_static]
    renderer = Renderer(layout)
    renderer.render(row)

    start = time.perf_counter()
    for _ in range(rounds):
        scope = Scope(prepare_row(layout, row), layout.locale)
        for value in dynamic:
            value.resolve(scope)
    expressions = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    for _ in range(rounds // 4):
        renderer.render(row)
    render = (time.perf_counter() - start) / (rounds // 4)
    return expressions * 1e6, render * 1e6


def _values(props: dict) -> list:
    found = []
    for item in props.values():
        found.extend(_values(item) if isinstance(item, dict) else [item])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.3, help="time per expression")
    args = parser.parse_args()
    print(f"{'case':<18} {'evals/s':>11} {'µs/eval':>9}  template")
    print(f"{'-' * 18} {'-' * 11} {'-' * 9}  {'-' * 40}")
    for name, source in CASES:
        per_second, micros = rate(source, args.seconds)
        print(f"{name:<18} {per_second:>11,} {micros:>9.2f}  {source}")
    expressions, render = blog_card_share()
    print(
        f"\nblog card, one row: every expression {expressions:.0f} µs, render {render:.0f} µs "
        f"({100 * expressions / render:.1f}% of the render)"
    )


if __name__ == "__main__":
    main()
