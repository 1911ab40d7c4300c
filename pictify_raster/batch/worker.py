"""What runs inside a worker process: compile the layout once, render rows, write files.

``render_rows`` is the executor-neutral part (a Dask task can call it as is);
``worker_main`` is the loop of one local pool process. Only ItemResult records go back,
never images. Errors of a row become that row's failure; a template that cannot be
compiled marks its results ``fatal`` so the supervisor fails the batch.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import importlib
import json
import logging
import os
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from pictify_raster.batch import storage
from pictify_raster.batch.executor import ItemResult, JobSpec, WorkChunk
from pictify_raster.batch.outputs import temp_name
from pictify_raster.errors import ErrorCode, ItemError, not_variables

logger = logging.getLogger(__name__)

RENDERER_CACHE_SIZE = 4
# A worker sends what it has at least this often during a long chunk, so a time-out or
# crash later in the chunk does not make finished rows render again.
FLUSH_INTERVAL = 0.5


class RendererLike(Protocol):
    def render(self, row: Mapping[str, Any]) -> Any: ...


_renderers: OrderedDict[tuple[Any, ...], RendererLike] = OrderedDict()


def _renderer_key(spec: JobSpec) -> tuple[Any, ...]:
    return (spec.template_uid, spec.source_hash, spec.layout_path, spec.allowed_roots,
            spec.allow_private_networks, spec.cache_dir, spec.renderer_factory)


def _build_renderer(spec: JobSpec) -> RendererLike:
    if spec.renderer_factory:
        module_name, _, attr = spec.renderer_factory.partition(":")
        factory: Callable[[JobSpec], RendererLike] = getattr(
            importlib.import_module(module_name), attr
        )
        return factory(spec)
    from pictify_raster.draw import Renderer  # heavy: imported in workers only
    from pictify_raster.fetch import FetchSettings
    from pictify_raster.layout import parse_layout

    layout = parse_layout(spec.layout_source, path=Path(spec.layout_path))
    settings = dataclasses.replace(
        spec.fetch_settings or FetchSettings(),
        allowed_roots=tuple(Path(p) for p in spec.allowed_roots),
        allow_private_networks=spec.allow_private_networks,
        cache_dir=Path(spec.cache_dir) if spec.cache_dir else None,
    )
    renderer: RendererLike = Renderer(layout, fetch_settings=settings)
    return renderer


def get_renderer(spec: JobSpec) -> RendererLike:
    """The compiled renderer for this job, built once per worker (a small LRU cache)."""
    key = _renderer_key(spec)
    renderer = _renderers.get(key)
    if renderer is None:
        renderer = _build_renderer(spec)
        _renderers[key] = renderer
        while len(_renderers) > RENDERER_CACHE_SIZE:
            _renderers.popitem(last=False)
    else:
        _renderers.move_to_end(key)
    return renderer


def _encode(renderer: RendererLike, image: Any, spec: JobSpec) -> bytes:
    encode = getattr(renderer, "encode", None)
    if encode is not None:
        data: bytes = encode(image, format=spec.format, quality=spec.quality)
        return data
    from pictify_raster.draw import encode_image

    data = encode_image(image, spec.format, spec.quality)
    return data


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _failed(spec: JobSpec, index: int, started: float, code: str, message: str, *,
            field: str | None = None, fatal: bool = False) -> ItemResult:
    return ItemResult(
        batch_id=spec.batch_id, index=index, status="failed",
        duration_ms=round((time.monotonic() - started) * 1000),
        error_code=code, error_message=message, error_field=field, fatal=fatal,
    )


def _write(folder: str, name: str, data: bytes) -> str:
    if storage.is_url(folder):  # an fsspec URL (storage.py): one whole-object write
        return storage.write_bytes(folder, name, data)
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / name
    with open(path, "wb") as handle:
        handle.write(data)
    return str(path)


def render_one(spec: JobSpec, renderer: RendererLike, index: int, row: Any) -> ItemResult:
    """Render, encode and write one row; every failure becomes the row's own result."""
    started = time.monotonic()
    if not isinstance(row, Mapping):
        return _failed(spec, index, started, ErrorCode.INVALID_VARIABLE,
                       not_variables(index, row))
    try:
        result = renderer.render(row)
        data = _encode(renderer, result.image, spec)
    except ItemError as exc:
        return _failed(spec, index, started, str(exc.code), exc.message, field=exc.field)
    except Exception as exc:
        logger.debug("rendering item %d of %s failed", index, spec.batch_id, exc_info=True)
        return _failed(spec, index, started, ErrorCode.RENDER_FAILED,
                       f"rendering failed: {_describe(exc)}")
    try:
        path = _write(spec.output_dir, temp_name(spec.batch_id, index, spec.format), data)
    except Exception as exc:  # OSError, or a remote store's own error
        return _failed(spec, index, started, ErrorCode.OUTPUT_WRITE_FAILED,
                       f"could not write the image to {spec.output_dir}: {exc}")
    warnings = [(str(w.code), str(w.message)) for w in getattr(result, "warnings", None) or []]
    return ItemResult(
        batch_id=spec.batch_id, index=index, status="completed",
        duration_ms=round((time.monotonic() - started) * 1000),
        temp_path=str(path), filename=getattr(result, "filename", None), warnings=warnings,
        text_fit=getattr(result, "text", None) or {},
    )


def render_rows(
    chunk: WorkChunk,
    on_start: Callable[[int], None] | None = None,
    on_results: Callable[[list[ItemResult]], None] | None = None,
) -> list[ItemResult]:
    """Render a chunk; ``on_start(index)`` is told before each row (for time limits).

    With ``on_results`` results are handed over every FLUSH_INTERVAL and the return
    value holds only the rest.
    """
    spec = chunk.spec
    pending: list[ItemResult] = []
    last_flush = time.monotonic()
    if on_start and chunk.rows:
        on_start(chunk.rows[0][0])  # a crash while compiling is blamed on the first row
    try:
        renderer = get_renderer(spec)
    except Exception as exc:
        logger.debug("compiling %s failed", spec.template_uid, exc_info=True)
        message = f"the template {spec.template_uid} could not be compiled: {_describe(exc)}"
        now = time.monotonic()
        return [_failed(spec, i, now, ErrorCode.RENDER_FAILED, message, fatal=True)
                for i, _ in chunk.rows]
    for index, text in chunk.rows:
        if on_start:
            on_start(index)
        pending.append(render_one(spec, renderer, index, json.loads(text)))
        if on_results and time.monotonic() - last_flush >= FLUSH_INTERVAL:
            on_results(pending)
            pending, last_flush = [], time.monotonic()
    return pending


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (best effort, elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


# glibc's mallopt parameters (malloc.h) and the values workers use.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: Freed heap memory kept for the next card before any is given back to the system.
KEEP_FREED_BYTES = 128 * 1024 * 1024
#: Buffers up to this size come from the heap, not from their own mapping (glibc's maximum).
HEAP_BUFFER_BYTES = 32 * 1024 * 1024


def _keep_freed_memory() -> None:
    """Let glibc reuse the memory of the last card instead of mapping it anew.

    Every card allocates and frees the same few large buffers (canvas, PNG
    rows, encoded bytes). By default glibc maps each one afresh and gives it
    back when freed, and on a virtual machine touching newly mapped pages
    costs more than drawing into them: an A4 certificate renders about twice
    as fast with the memory kept. A worker's peak memory does not grow, it is
    only held between cards. Elsewhere than glibc this is a no-op.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, HEAP_BUFFER_BYTES)
        libc.mallopt(_M_TRIM_THRESHOLD, KEEP_FREED_BYTES)


def worker_main(conn: Connection, slot: Any) -> None:
    """The loop of one pool process.

    ``slot`` is shared memory [current index, monotonic start] that the pool reads to
    enforce the item time limit; -1 means idle. Messages in: WorkChunk, or None to stop.
    Messages out: ("results", [ItemResult…], chunk_done).
    """
    _die_with_parent()
    _keep_freed_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the client's to handle
    parent = os.getppid()

    def on_start(index: int) -> None:
        if os.getppid() != parent:
            os._exit(0)  # the client died: write nothing more
        slot[1] = time.monotonic()
        slot[0] = float(index)

    def on_results(results: list[ItemResult]) -> None:
        conn.send(("results", results, False))

    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        results = render_rows(chunk, on_start, on_results)
        slot[0] = -1.0
        try:
            conn.send(("results", results, True))
        except (BrokenPipeError, OSError):
            return
