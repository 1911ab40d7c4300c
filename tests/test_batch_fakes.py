"""A stand-in renderer for batch tests, loaded inside worker processes by name.

Rows steer it: ``sleep`` (seconds), ``crash`` ("segfault" | "exit"), ``error`` (an
ErrorCode value, raised as an ItemError), ``boom`` (a plain exception), ``name`` (the
output file name). It lets the pool's time limits and crash handling be tested without
depending on what real layouts can make a worker do.
"""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from pictify_raster.batch.worker import _build_renderer
from pictify_raster.errors import ErrorCode, ItemError, RenderWarning

FACTORY = "test_batch_fakes:make_renderer"


@dataclass
class FakeResult:
    image: Image.Image
    warnings: list[RenderWarning] = field(default_factory=list)
    filename: str | None = None


class FakeRenderer:
    def __init__(self, spec: Any) -> None:
        self.spec = spec

    def render(self, row: Mapping[str, Any]) -> FakeResult:
        if "sleep" in row:
            time.sleep(float(row["sleep"]))
        crash = row.get("crash")
        if crash == "segfault":
            os.kill(os.getpid(), signal.SIGSEGV)
        if crash == "exit":
            os._exit(3)
        if "error" in row:
            raise ItemError(f"fake {row['error']}", code=ErrorCode(row["error"]), field="title")
        if "boom" in row:
            raise RuntimeError(f"boom {row['boom']}\nsecond line")
        warnings = [RenderWarning("MISSING_GLYPHS", "no glyph")] if row.get("warn") else []
        colour = (int(row.get("i", 0)) % 256, 80, 160)
        return FakeResult(Image.new("RGB", (8, 8), colour), warnings, row.get("name"))

    def encode(self, image: Image.Image, format: str = "png", quality: int = 90) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG" if format == "jpeg" else format.upper(),
                   quality=quality)
        return buffer.getvalue()


def make_renderer(spec: Any) -> FakeRenderer:
    return FakeRenderer(spec)


class SlowRenderer:
    """The real layout renderer, made slower by a row's ``delay`` (seconds)."""

    def __init__(self, spec: Any) -> None:
        real_spec = type(spec)(**{**spec.__dict__, "renderer_factory": None})
        self.real = _build_renderer(real_spec)

    def render(self, row: Mapping[str, Any]) -> Any:
        time.sleep(float(row.get("delay", 0)))
        return self.real.render({k: v for k, v in row.items() if k != "delay"})

    def encode(self, image: Image.Image, format: str = "png", quality: int = 90) -> bytes:
        data: bytes = self.real.encode(image, format=format, quality=quality)  # type: ignore[attr-defined]
        return data


def make_slow_renderer(spec: Any) -> SlowRenderer:
    return SlowRenderer(spec)


# -- helpers shared by the batch, store, webhook and resume tests ------------------------

CARD = """\
uid: tmpl_test_card
name: Test card
size: [120, 60]
background: "#ffffff"
variables:
  title: {type: string, required: true}
  count: {type: integer, default: 1}
  photo: {type: image}
  slug: {type: string}
output: {filename: "{{ slug }}"}
layers:
  - type: rect
    box: [0, 0, 120, 60]
    fill: "#336699"
  - type: text
    box: [4, 4, 110, 20]
    content: "{{ title }} {{ 10 / count }}"
    font: {family: Noto Sans, size: 12}
    overflow: error
    max_lines: 1
  - type: image
    box: [80, 30, 24, 24]
    src: "{{ photo }}"
    visible: "{{ photo != null }}"
"""


def write_card(folder: Any, text: str = CARD, name: str = "card.yaml") -> Any:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def broken_factory(spec: Any) -> FakeRenderer:
    raise RuntimeError("font file vanished")
