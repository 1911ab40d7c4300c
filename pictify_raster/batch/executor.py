"""The executor interface: what the supervisor needs from whatever runs the rendering.

An executor takes chunks of rows (each an item index and its variables) with the job
they belong to, renders them somewhere, and hands back one small ItemResult per item.
It enforces the per-item time limit and turns a dead worker into a failure of the one
item it held. The local process pool (pool.py) is the default; a Dask executor fits
the same five methods: ``submit`` sends ``worker.render_rows`` as a task per chunk,
``collect`` waits on the futures, ``cancel`` cancels futures not started, and a time
limit can run each row in a task-side subprocess. Its workers must reach
``JobSpec.output_dir`` (a shared path), since the supervisor renames files there.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from pictify_raster.fetch import FetchSettings


@dataclass(frozen=True)
class JobSpec:
    """What a worker needs to render one batch's rows. Small, picklable, sent with chunks.

    ``renderer_factory`` ("module:callable") replaces the layout Renderer; tests use it to
    make rows that hang or crash a worker on purpose.
    """

    batch_id: str
    template_uid: str
    layout_source: str
    layout_path: str
    source_hash: str
    format: str
    quality: int
    output_dir: str
    allowed_roots: tuple[str, ...] = ()
    allow_private_networks: bool = False
    cache_dir: str | None = None
    renderer_factory: str | None = None
    fetch_settings: FetchSettings | None = None


@dataclass(frozen=True)
class WorkChunk:
    """A few rows of one batch: ``rows`` is a list of (item index, variables as JSON text).

    JSON text, as stored, so the supervisor does not decode rows it only passes on.

    ``restarts`` counts the workers that died holding this chunk before starting any row.
    """

    spec: JobSpec
    rows: list[tuple[int, str]]
    restarts: int = 0


@dataclass(frozen=True)
class ItemResult:
    """What a worker reports about one item; the image itself stays on disk.

    ``status`` is "completed" (``temp_path`` holds the image, ``filename`` is the
    layout's wanted name or None) or "failed" (``error_code``/``error_message``/
    ``error_field``). ``fatal`` says the failure is the template's, not the row's, so
    the whole batch cannot run.
    """

    batch_id: str
    index: int
    status: str
    duration_ms: int
    temp_path: str | None = None
    filename: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    text_fit: dict[str, dict[str, Any]] = field(default_factory=dict)
    error_code: str | None = None
    error_message: str | None = None
    error_field: str | None = None
    fatal: bool = False


class Executor(ABC):
    """Runs chunks of rows and reports item results.

    Calls come from the supervisor thread only. ``collect`` is also where the executor
    does its housekeeping (time limits, replacing workers), so it is called often.
    """

    @abstractmethod
    def free_slots(self) -> int:
        """How many more chunks it will take now without queueing them."""

    @abstractmethod
    def submit(self, chunk: WorkChunk) -> None:
        """Start rendering ``chunk``; its results come back through ``collect``."""

    @abstractmethod
    def collect(self, timeout: float) -> list[ItemResult]:
        """Results that arrived, waiting at most ``timeout`` seconds for the first."""

    @abstractmethod
    def cancel(self, batch_id: str) -> list[int]:
        """Drop the rows of ``batch_id`` not started yet; return their indexes.

        Rows already rendering finish (or time out) and are reported as usual.
        """

    @abstractmethod
    def shutdown(self) -> None:
        """Stop all workers; rows still held are simply never reported."""
