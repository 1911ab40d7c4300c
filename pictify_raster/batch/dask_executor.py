"""The Dask executor: the same batches on a Dask distributed cluster (DESIGN section 10).

``px.Pictify(executor=px.DaskExecutor("tcp://scheduler:8786"))``. Each WorkChunk the
supervisor submits becomes one Dask task (``run_chunk``); its ItemResults come back as
the task's result, and the supervisor records them exactly as the local pool's.

How the semantics carry over:

- **Time limits.** Dask cannot stop a running thread, so by default (``isolate=True``)
  a task does not render in the Dask worker itself: it hands the chunk to a one-process
  LocalExecutor kept by the worker thread (the local pool, reused as is). A row past the
  time limit has that helper process killed and replaced, the row ends RENDER_TIMEOUT,
  the rest of the chunk goes on; a row that crashes the helper fails alone with
  RENDER_FAILED. The Dask worker itself stays up. ``isolate=False`` renders in the Dask
  worker's thread: no time limits, a crash takes the worker down, and under the
  nannies' MALLOC_TRIM_THRESHOLD_ it is about 3 times slower (see
  ``_prepare_worker_process``); it suits in-process clusters (``processes=False``).
- **Dead workers.** A Dask worker that dies (killed, machine lost) makes the scheduler
  run its tasks again elsewhere; a task's results are reported only when the task ends,
  so every item is reported once. A chunk that kills ``distributed.scheduler.
  allowed-failures`` workers in a row ends with its rows failed (RENDER_FAILED). Tasks
  lost with the scheduler connection are submitted again (``max_resubmits``).
- **Cancel.** At most one task per worker thread is in the cluster at a time; further
  chunks wait here. ``cancel`` drops the waiting ones; tasks already running finish and
  report, as in the local pool. ``shutdown`` cancels every future.
- **Resume.** State is in the client's store. When the client dies, its Dask client
  goes with it and the scheduler forgets its futures; reopening the home with a new
  executor renders the unfinished items again (strays are swept by the supervisor).

Outputs must be reachable by every worker *and* the client: a shared path (the
default, the client's ``home/outputs``, fits a LocalCluster or a shared filesystem) or
an fsspec URL given as ``outputs=`` (see storage.py for what is atomic there). Workers
need pictify_raster (and the fonts and images the layouts use) installed too.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from pictify_raster.batch.executor import Executor, ItemResult, WorkChunk
from pictify_raster.errors import ErrorCode

logger = logging.getLogger(__name__)

# How often the cluster's thread count is asked again (workers come and go).
NTHREADS_REFRESH = 1.0
# A task that has not reported after rows * (time limit + ROW_GRACE) + CHUNK_GRACE gives up
# on the worker; the client waits one CHUNK_GRACE more.
ROW_GRACE = 5.0
CHUNK_GRACE = 60.0
_UNSET: Any = object()


@dataclass
class _Task:
    chunk: WorkChunk
    future: Any
    submitted: float
    resubmits: int = 0


class DaskExecutor(Executor):
    """Runs chunks as tasks on a Dask cluster.

    ``scheduler`` is an address (``"tcp://host:8786"``), a ``distributed.Client`` (not
    closed on shutdown) or anything ``distributed.Client`` accepts (a LocalCluster).
    ``item_timeout`` defaults to the Pictify client's. ``outputs`` is where batches
    write: None for the client's ``home/outputs`` (must be a path every worker sees), a
    shared folder, or an fsspec URL. ``slots`` caps the tasks in the cluster at once
    (default: the cluster's worker threads, followed as workers come and go).
    """

    def __init__(self, scheduler: Any, *, item_timeout: float | None = _UNSET,
                 outputs: str | os.PathLike[str] | None = None, isolate: bool = True,
                 slots: int | None = None, max_resubmits: int = 3,
                 connect_timeout: float = 30.0) -> None:
        try:
            import distributed
        except ImportError as exc:
            msg = ("DaskExecutor needs dask's distributed scheduler: "
                   "pip install 'pictify-raster[dask]'")
            raise ImportError(msg) from exc
        if slots is not None and slots < 1:
            msg = f"slots must be at least 1, got {slots}"
            raise ValueError(msg)
        self.outputs = None if outputs is None else os.fspath(outputs)
        if self.outputs is not None:
            from pictify_raster.batch import storage

            if storage.is_url(self.outputs):
                storage.filesystem(self.outputs)  # a missing fsspec or protocol fails here
        self.isolate = isolate
        self.max_resubmits = max_resubmits
        self._timeout_given = item_timeout is not _UNSET
        self.item_timeout: float | None = None if item_timeout is _UNSET else item_timeout
        self._fixed_slots = slots
        self._distributed = distributed
        self.client: Any  # typed loosely: dask is an optional dependency
        if isinstance(scheduler, distributed.Client):
            self.client = scheduler
            self._owns_client = False
        else:
            try:
                self.client = distributed.Client(scheduler, timeout=connect_timeout,
                                                 set_as_default=False)
            except (OSError, TimeoutError) as exc:
                msg = f"could not reach the Dask scheduler at {scheduler!r}: {exc}"
                raise ConnectionError(msg) from exc
            self._owns_client = True
        self._tasks: dict[str, _Task] = {}  # future key -> task
        self._waiting: deque[WorkChunk] = deque()
        self._done: queue.Queue[Any] = queue.Queue()
        self._unsent: list[ItemResult] = []  # rows that could not be submitted, failed
        self._nthreads = 0
        self._nthreads_at = 0.0
        self._closed = False
        logger.info("Dask executor on %s (%d worker threads)",
                    self.client.scheduler.address if self.client.scheduler else scheduler,
                    self._cluster_threads())

    def attach(self, item_timeout: float | None) -> None:
        """Called by the Pictify client: take its time limit unless one was given here."""
        if not self._timeout_given:
            self.item_timeout = item_timeout
        if not self.isolate and self.item_timeout is not None:
            logger.warning("DaskExecutor(isolate=False) cannot stop a row past %g s; only a task "
                           "that reports nothing for much longer is given up",
                           self.item_timeout)

    # -- Executor interface -------------------------------------------------------------

    def free_slots(self) -> int:
        return max(0, self._capacity() - len(self._tasks) - len(self._waiting))

    def submit(self, chunk: WorkChunk) -> None:
        if self._closed:
            msg = "the Dask executor is shut down"
            raise RuntimeError(msg)
        if chunk.rows:
            self._waiting.append(chunk)
            self._send_waiting()

    def collect(self, timeout: float) -> list[ItemResult]:
        self._send_waiting()
        results, self._unsent = self._unsent, []
        finished: list[Any] = []
        if self._tasks:
            with contextlib.suppress(queue.Empty):
                finished.append(self._done.get(timeout=max(0.0, timeout)))
        elif timeout > 0:
            time.sleep(min(timeout, 0.05))
        while True:
            try:
                finished.append(self._done.get_nowait())
            except queue.Empty:
                break
        for future in finished:
            results += self._on_done(future)
        results += self._give_up_overdue()
        self._send_waiting()
        return results

    def cancel(self, batch_id: str) -> list[int]:
        dropped: list[int] = []
        kept: deque[WorkChunk] = deque()
        for chunk in self._waiting:
            if chunk.spec.batch_id == batch_id:
                dropped += [index for index, _ in chunk.rows]
            else:
                kept.append(chunk)
        self._waiting = kept
        return dropped

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._waiting.clear()
        futures = [task.future for task in self._tasks.values()]
        self._tasks = {}
        try:
            if futures:
                self.client.cancel(futures)
        except Exception as exc:
            logger.debug("cancelling futures on shutdown failed: %s", exc)
        if self._owns_client:
            try:
                self.client.close()
            except Exception as exc:
                logger.debug("closing the Dask client failed: %s", exc)

    # -- internals ----------------------------------------------------------------------

    def _cluster_threads(self) -> int:
        now = time.monotonic()
        if now - self._nthreads_at >= NTHREADS_REFRESH:
            try:
                self._nthreads = sum(self.client.nthreads().values())
            except Exception as exc:
                logger.warning("could not ask the Dask scheduler for its workers: %s", exc)
            self._nthreads_at = now
        return self._nthreads

    def _capacity(self) -> int:
        if self._fixed_slots is not None:
            return self._fixed_slots
        # With no worker yet, one task waits on the scheduler so work starts when one joins.
        return max(1, self._cluster_threads())

    def _send_waiting(self) -> None:
        while self._waiting and not self._closed and len(self._tasks) < self._capacity():
            self._start(self._waiting.popleft(), resubmits=0)

    def _start(self, chunk: WorkChunk, resubmits: int) -> None:
        key = f"pictify-{chunk.spec.batch_id}-{chunk.rows[0][0]}-{time.monotonic_ns()}"
        try:
            future = self.client.submit(run_chunk, chunk, self.item_timeout, self.isolate,
                                        pure=False, key=key)
        except Exception as exc:  # the client is closed or the scheduler is gone for good
            logger.error("could not submit a chunk of %s to Dask: %s", chunk.spec.batch_id, exc)
            self._unsent += _fail_all(chunk, ErrorCode.RENDER_FAILED,
                                      f"could not submit to the Dask scheduler: {_describe(exc)}")
            return
        self._tasks[future.key] = _Task(chunk, future, time.monotonic(), resubmits)
        future.add_done_callback(self._done.put)

    def _on_done(self, future: Any) -> list[ItemResult]:
        task = self._tasks.pop(future.key, None)
        if task is None:
            return []  # cancelled by shutdown or given up already
        chunk = task.chunk
        status = future.status
        if status == "finished":
            try:
                results: list[ItemResult] = future.result()
            except Exception as exc:  # lost between the callback and now
                return self._retry_or_fail(task, f"its result was lost ({exc})")
            return self._complete(chunk, results)
        if status == "cancelled":
            return self._retry_or_fail(task, "the Dask scheduler dropped the task")
        error: BaseException | None
        try:
            error = future.exception()
        except Exception as exc:
            error = exc
        killed = getattr(self._distributed, "KilledWorker", None)
        if killed is not None and isinstance(error, killed):
            reason = ("the Dask workers running this item kept dying "
                      f"({_describe(error)}); giving up on it")
        else:
            reason = f"the Dask task failed: {_describe(error)}"
        logger.warning("chunk of %d rows of %s failed on Dask: %s", len(chunk.rows),
                       chunk.spec.batch_id, reason)
        return _fail_all(chunk, ErrorCode.RENDER_FAILED, reason)

    def _retry_or_fail(self, task: _Task, reason: str) -> list[ItemResult]:
        if task.resubmits < self.max_resubmits and not self._closed:
            logger.warning("resubmitting a chunk of %s: %s", task.chunk.spec.batch_id, reason)
            self._start(task.chunk, task.resubmits + 1)
            return []
        return _fail_all(task.chunk, ErrorCode.RENDER_FAILED,
                         f"{reason}, {task.resubmits + 1} times")

    @staticmethod
    def _complete(chunk: WorkChunk, results: list[ItemResult]) -> list[ItemResult]:
        """The task's results, each row once; a row it did not report fails."""
        wanted = {index for index, _ in chunk.rows}
        kept = []
        for result in results:
            if result.index in wanted:
                wanted.discard(result.index)
                kept.append(result)
        if wanted:
            now = time.monotonic()
            kept += [_failure(chunk.spec.batch_id, index, now, ErrorCode.RENDER_FAILED,
                              "the Dask task ended without reporting this item")
                     for index in sorted(wanted)]
        return kept

    def _give_up_overdue(self) -> list[ItemResult]:
        """A task that never reports (a wedged worker that did not die) ends RENDER_TIMEOUT."""
        if self.item_timeout is None:
            return []
        results: list[ItemResult] = []
        now = time.monotonic()
        for key, task in list(self._tasks.items()):
            # The worker side gives up after one CHUNK_GRACE; this is for a worker that hangs.
            budget = len(task.chunk.rows) * (self.item_timeout + ROW_GRACE) + 2 * CHUNK_GRACE
            if now - task.submitted <= budget:
                continue
            del self._tasks[key]
            try:
                task.future.cancel()
            except Exception as exc:
                logger.debug("cancelling an overdue task failed: %s", exc)
            logger.warning("a Dask task of %s reported nothing for %.0f s; giving up",
                           task.chunk.spec.batch_id, now - task.submitted)
            results += _fail_all(task.chunk, ErrorCode.RENDER_TIMEOUT,
                                 f"the Dask task holding this item reported nothing within "
                                 f"{budget:.0f} s")
        return results


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "no error given"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _failure(batch_id: str, index: int, started: float, code: str,
             message: str) -> ItemResult:
    return ItemResult(batch_id=batch_id, index=index, status="failed",
                      duration_ms=round((time.monotonic() - started) * 1000),
                      error_code=code, error_message=message)


def _fail_all(chunk: WorkChunk, code: str, message: str) -> list[ItemResult]:
    now = time.monotonic()
    return [_failure(chunk.spec.batch_id, index, now, code, message)
            for index, _ in chunk.rows]


# -- what runs on a Dask worker -------------------------------------------------------------

_helpers = threading.local()
# Seconds a task waits for its helper process between checks.
HELPER_POLL = 0.5
MALLOC_TRIM = "MALLOC_TRIM_THRESHOLD_"


def _prepare_worker_process() -> None:
    """Let this Dask worker start helper processes, and start them with glibc's defaults.

    Dask starts workers as daemonic processes, which multiprocessing forbids to start
    children. The helper processes die with the worker anyway (the forkserver exits when
    its parent does, and pool workers ask Linux to kill them when it goes).

    Dask's nannies also set MALLOC_TRIM_THRESHOLD_=65536 for their workers; inherited by
    the helpers it makes Pillow return every image buffer to the kernel and fault it in
    again, which measured 2.5 times slower per image. Only new processes read it, so the
    Dask worker itself keeps its setting.
    """
    if os.environ.pop(MALLOC_TRIM, None) is not None:
        logger.debug("helper processes start without %s", MALLOC_TRIM)
    process = multiprocessing.current_process()
    if process.daemon:
        config: dict[str, Any] = process.__dict__["_config"]
        config["daemon"] = False


def _helper_pool(item_timeout: float | None) -> Executor:
    """This worker thread's one-process LocalExecutor, made again if the time limit changes."""
    pool = getattr(_helpers, "pool", None)
    if pool is not None and pool.item_timeout == item_timeout:
        return pool
    if pool is not None:
        pool.shutdown()
    from pictify_raster.batch.pool import LocalExecutor

    _prepare_worker_process()
    fresh = LocalExecutor(1, item_timeout)
    _helpers.pool = fresh
    return fresh


def run_chunk(chunk: WorkChunk, item_timeout: float | None,
              isolate: bool = True) -> list[ItemResult]:
    """The Dask task: render a chunk and return one ItemResult per row."""
    if not isolate:
        from pictify_raster.batch.worker import render_rows

        return render_rows(chunk)
    pool = _helper_pool(item_timeout)
    pool.submit(chunk)
    wanted = {index for index, _ in chunk.rows}
    results: list[ItemResult] = []
    started = time.monotonic()
    budget = (None if item_timeout is None
              else len(chunk.rows) * (item_timeout + ROW_GRACE) + CHUNK_GRACE)
    while wanted:
        for result in pool.collect(HELPER_POLL):
            if result.index in wanted and result.batch_id == chunk.spec.batch_id:
                wanted.discard(result.index)
                results.append(result)
        if wanted and budget is not None and time.monotonic() - started > budget:
            # The helper pool stopped answering (it should not): start afresh next time.
            logger.error("helper process reported nothing for %.0f s; replacing it", budget)
            pool.shutdown()
            _helpers.pool = None
            results += [_failure(chunk.spec.batch_id, index, started, ErrorCode.RENDER_TIMEOUT,
                                 f"the helper process reported nothing within {budget:.0f} s")
                        for index in sorted(wanted)]
            break
    return results

