"""Profile card A in one process: where a card's time goes.

    .venv/bin/python benchmarks/profile_card_a.py [--rows 400] [--format png]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
from pathlib import Path

import pictify_raster as px
from pictify_raster.draw import Renderer

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--format", default="png")
    args = parser.parse_args()

    lines = (ROOT / "layouts" / "bench" / "cards_a.jsonl").read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines[: args.rows]]
    renderer = Renderer(px.load_layout(ROOT / "layouts" / "bench" / "card_a.yaml"))
    for row in rows[:50]:  # fonts, caches and the static base, before measuring
        renderer.encode(renderer.render(row).image, args.format)

    profile = cProfile.Profile()
    profile.enable()
    for row in rows:
        renderer.encode(renderer.render(row).image, args.format)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
