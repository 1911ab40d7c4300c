"""The local executor: a pool of worker processes, each driven through its own pipe.

Why not concurrent.futures, multiprocessing.Pool, pebble or loky: the first two cannot
stop one stuck task, and none of them lets the caller see *which row* of a chunk a
worker is on, which is what a per-item time limit and "a crash fails only the row it
held" need. Owning the processes costs little code: one Process, one Pipe and two
shared doubles (current row, its start time) per worker, and no extra dependency.

Workers start with the ``forkserver`` method where the platform has it (fast to replace
after a time-out, and safe although the client runs threads), else ``spawn``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from pictify_raster.batch import outputs
from pictify_raster.batch.executor import Executor, ItemResult, WorkChunk
from pictify_raster.batch.worker import worker_main
from pictify_raster.errors import ErrorCode

logger = logging.getLogger(__name__)

PRELOAD = ["pictify_raster.batch.worker", "pictify_raster.draw"]
STOP_GRACE = 2.0
# Workers that die before starting a row (a broken install, say) do not loop forever.
MAX_RESTARTS = 3


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def describe_exit(exitcode: int | None) -> str:
    """``killed by signal SIGSEGV`` or ``exit code 3``, for the item's message."""
    if exitcode is None:
        return "no exit status"
    if exitcode < 0:
        try:
            return f"killed by signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


@dataclass
class _Worker:
    process: Any
    conn: Connection
    slot: Any
    chunk: WorkChunk | None = None
    remaining: dict[int, str] = field(default_factory=dict)

    @property
    def busy(self) -> bool:
        return self.chunk is not None

    def current(self) -> tuple[int, float] | None:
        """The row it is rendering and since when (monotonic), or None when idle."""
        index = int(self.slot[0])
        if index < 0 or self.chunk is None or index not in self.remaining:
            return None
        return index, float(self.slot[1])


class LocalExecutor(Executor):
    """``workers`` processes; a row running past ``item_timeout`` seconds is stopped."""

    def __init__(self, workers: int, item_timeout: float | None) -> None:
        if workers < 1:
            msg = f"workers must be at least 1, got {workers}"
            raise ValueError(msg)
        self.size = workers
        self.item_timeout = item_timeout
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self._queue: deque[WorkChunk] = deque()
        self._closed = False

    # -- Executor interface -------------------------------------------------------------

    def free_slots(self) -> int:
        idle = sum(1 for w in self._workers if not w.busy) + self.size - len(self._workers)
        return max(0, idle - len(self._queue))

    def submit(self, chunk: WorkChunk) -> None:
        if self._closed:
            msg = "the worker pool is shut down"
            raise RuntimeError(msg)
        if chunk.rows:
            self._queue.append(chunk)
            self._dispatch()

    def collect(self, timeout: float) -> list[ItemResult]:
        results: list[ItemResult] = []
        self._dispatch()
        busy = [w for w in self._workers if w.busy]
        if not busy:
            if timeout > 0:
                time.sleep(min(timeout, 0.05))
            return results
        waitables: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(waitables, timeout=min(timeout, self._time_to_deadline())))
        for worker in busy:
            if worker.conn in ready:
                results += self._receive(worker)
        for worker in busy:
            if worker.process.sentinel in ready and worker in self._workers:
                results += self._on_death(worker)
        results += self._enforce_timeouts()
        self._dispatch()
        return results

    def cancel(self, batch_id: str) -> list[int]:
        dropped: list[int] = []
        kept: deque[WorkChunk] = deque()
        for chunk in self._queue:
            if chunk.spec.batch_id == batch_id:
                dropped += [index for index, _ in chunk.rows]
            else:
                kept.append(chunk)
        self._queue = kept
        return dropped

    def shutdown(self) -> None:
        self._closed = True
        self._queue.clear()
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        deadline = time.monotonic() + STOP_GRACE
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1.0)
            worker.conn.close()
        self._workers = []

    # -- workers --------------------------------------------------------------------------

    def _start_worker(self) -> _Worker:
        parent_conn, child_conn = self._ctx.Pipe(duplex=True)
        slot = self._ctx.Array("d", [-1.0, 0.0], lock=False)
        process = self._ctx.Process(
            target=worker_main, args=(child_conn, slot), name="pictify-worker", daemon=True
        )
        process.start()
        child_conn.close()
        worker = _Worker(process=process, conn=parent_conn, slot=slot)
        self._workers.append(worker)
        logger.debug("started worker pid %s", process.pid)
        return worker

    def _dispatch(self) -> None:
        while self._queue and not self._closed:
            worker = next((w for w in self._workers if not w.busy), None)
            if worker is None:
                if len(self._workers) >= self.size:
                    return
                worker = self._start_worker()
            chunk = self._queue.popleft()
            worker.chunk = chunk
            worker.remaining = dict(chunk.rows)
            try:
                worker.conn.send(chunk)
            except OSError:
                # Died while idle; the death handler requeues the chunk it now holds.
                logger.debug("worker pid %s could not take a chunk", worker.process.pid)

    def _receive(self, worker: _Worker) -> list[ItemResult]:
        results: list[ItemResult] = []
        try:
            while worker.conn.poll():
                _, batch, done = worker.conn.recv()
                for result in batch:
                    worker.remaining.pop(result.index, None)
                results += batch
                if done:
                    worker.chunk = None
                    worker.remaining = {}
        except (EOFError, OSError):
            pass  # the death handler deals with it
        return results

    def _retire(self, worker: _Worker, *, kill: bool) -> None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.process.join(1.0)
        worker.conn.close()
        self._workers.remove(worker)
        if worker.chunk is not None:
            # Rows it rendered but never reported render again elsewhere: drop its files.
            spec = worker.chunk.spec
            folder = Path(spec.output_dir)
            for index in worker.remaining:
                name = outputs.temp_name(spec.batch_id, index, spec.format, worker.process.pid)
                outputs.remove_quietly(folder / name)

    def _requeue_rest(self, worker: _Worker, skip: int | None) -> None:
        if worker.chunk is None:
            return
        rest = [(i, row) for i, row in worker.remaining.items() if i != skip]
        restarts = worker.chunk.restarts + 1 if skip is None else 0
        if rest:
            self._queue.appendleft(WorkChunk(spec=worker.chunk.spec, rows=rest,
                                             restarts=restarts))

    def _on_death(self, worker: _Worker) -> list[ItemResult]:
        results = self._receive(worker)  # whatever it sent before dying still counts
        worker.process.join(1.0)
        how = describe_exit(worker.process.exitcode)
        current = worker.current()
        if worker.chunk is not None and current is not None:
            index = current[0]
            logger.warning("worker pid %s died (%s) rendering item %d of %s",
                           worker.process.pid, how, index, worker.chunk.spec.batch_id)
            results.append(self._failure(
                worker.chunk, index, current[1], ErrorCode.RENDER_FAILED,
                f"the worker process died ({how}) while rendering this item; "
                "it was replaced",
            ))
        elif worker.chunk is not None and worker.chunk.restarts + 1 >= MAX_RESTARTS:
            logger.error("workers keep dying (%s) before rendering any row of %s",
                         how, worker.chunk.spec.batch_id)
            now = time.monotonic()
            results += [
                self._failure(worker.chunk, index, now, ErrorCode.RENDER_FAILED,
                              f"worker processes kept dying ({how}) before rendering; "
                              "a script that starts batches must keep its top level under "
                              "if __name__ == '__main__':")
                for index in worker.remaining
            ]
            worker.remaining = {}
        self._requeue_rest(worker, current[0] if current else None)
        self._retire(worker, kill=False)
        return results

    def _enforce_timeouts(self) -> list[ItemResult]:
        if self.item_timeout is None:
            return []
        results: list[ItemResult] = []
        now = time.monotonic()
        for worker in list(self._workers):
            current = worker.current()
            if worker.chunk is None or current is None:
                continue
            index, started = current
            if now - started <= self.item_timeout:
                continue
            results += self._receive(worker)
            if index not in worker.remaining:
                continue  # it finished just now
            logger.warning("item %d of %s ran past %.1f s; stopping worker pid %s",
                           index, worker.chunk.spec.batch_id, self.item_timeout,
                           worker.process.pid)
            results.append(self._failure(
                worker.chunk, index, started, ErrorCode.RENDER_TIMEOUT,
                f"rendering took longer than the item time limit of {self.item_timeout:g} s; "
                "its worker was stopped and replaced",
            ))
            self._requeue_rest(worker, index)
            self._retire(worker, kill=True)
        return results

    def _time_to_deadline(self) -> float:
        if self.item_timeout is None:
            return 1.0
        now = time.monotonic()
        waits = [1.0]
        for worker in self._workers:
            current = worker.current()
            if current is not None:
                waits.append(current[1] + self.item_timeout - now)
        return max(0.01, min(waits))

    @staticmethod
    def _failure(chunk: WorkChunk, index: int, started: float, code: str,
                 message: str) -> ItemResult:
        return ItemResult(
            batch_id=chunk.spec.batch_id, index=index, status="failed",
            duration_ms=round((time.monotonic() - started) * 1000),
            error_code=code, error_message=message,
        )

    @property
    def pids(self) -> Sequence[int]:
        return [w.process.pid for w in self._workers]
