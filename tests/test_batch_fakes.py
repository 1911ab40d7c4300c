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
