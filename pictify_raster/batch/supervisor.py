"""The supervisor: one thread of the client that drives the executor for every active batch.

It reads pending rows from the store a chunk at a time (never a whole batch), hands
them to the executor round-robin between active batches, and records results in grouped
transactions. For each completed item it picks the final file name, notes it on the
pending item, renames the worker's temporary file there, and only then records the item
completed (outputs.py explains why this order leaves no orphan after a crash). When a
batch has no row left it gets its final status and its webhook delivery.

The client talks to it through a command queue; nothing else touches its state.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pictify_raster.batch import outputs, storage
from pictify_raster.batch.executor import Executor, ItemResult, JobSpec, WorkChunk
from pictify_raster.batch.models import (
    BatchStatus,
    ItemFailure,
    ItemStatus,
    ItemWarning,
    ProgressEvent,
)
from pictify_raster.batch.store import BatchRecord, Outcome, Store
from pictify_raster.batch.webhooks import WebhookSender, delivery_for
from pictify_raster.errors import ErrorCode

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[ProgressEvent], None]

FLUSH_INTERVAL = 0.25  # seconds between grouped transactions of item results
FLUSH_SIZE = 512  # or sooner, when this many results wait
HEARTBEAT_INTERVAL = 2.0
CANCEL_POLL_INTERVAL = 0.5
CHUNK_TARGET_SECONDS = 0.25  # a chunk holds about this much rendering work
MAX_CHUNK = 32
IDLE_RECHECK = 0.05  # a batch still being ingested is asked for rows again after this


@dataclass
class _Run:
    """A batch this client is running."""

    record: BatchRecord
    spec: JobSpec
    progress: ProgressCallback | None = None
    cursor: int = -1  # highest index handed to the executor
    in_flight: int = 0
    drained: bool = False  # every row recorded and handed out
    started: bool = False
    stop_status: BatchStatus | None = None  # set by cancel or a fatal template error
    stop_error: str | None = None
    avg_item_s: float = 0.05
    retry_at: float = 0.0
    results: list[ItemResult] = field(default_factory=list)

    @property
    def batch_id(self) -> str:
        return self.record.batch.id


SpecBuilder = Callable[[BatchRecord], JobSpec]


class Supervisor:
    """Owns the executor and the active batches; runs in its own daemon thread."""

    def __init__(self, store: Store, *, owner: str, executor_factory: Callable[[], Executor],
                 spec_builder: SpecBuilder, sender: WebhookSender,
                 stop_grace: float) -> None:
        self.store = store
        self.owner = owner
        self._executor_factory = executor_factory
        self._executor: Executor | None = None
        self._spec_builder = spec_builder
        self._sender = sender
        self._stop_grace = stop_grace
        self._runs: dict[str, _Run] = {}
        self._order: deque[str] = deque()
        self._commands: queue.Queue[tuple[str, str, Any]] = queue.Queue()
        self._stopping = threading.Event()
        self._ended = threading.Condition()
        self._last_flush = time.monotonic()
        self._last_heartbeat = 0.0
        self._last_cancel_poll = 0.0
        self._thread = threading.Thread(target=self._main, name="pictify-supervisor",
                                        daemon=True)
        self.error: BaseException | None = None

    # -- called from client threads ------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def admit(self, batch_id: str, progress: ProgressCallback | None = None) -> None:
        """Run a batch this client owns (new, or resumed after clean-up)."""
        self._commands.put(("admit", batch_id, progress))

    def cancel(self, batch_id: str) -> None:
        self._commands.put(("cancel", batch_id, None))

    def abort(self, batch_id: str, error: str) -> None:
        """End a batch ``failed`` (its rows could not be read), like a cancel otherwise."""
        self._commands.put(("abort", batch_id, error))

    def stop(self) -> None:
        """Stop dispatching, wait (bounded) for rows in flight, shut the executor down."""
        self._stopping.set()
        self._commands.put(("wake", "", None))
        if self._thread.is_alive():
            self._thread.join()

    def is_running(self, batch_id: str) -> bool:
        return batch_id in self._runs

    def wait_change(self, timeout: float) -> None:
        """Sleep until some batch ends or ``timeout`` passes."""
        with self._ended:
            self._ended.wait(timeout)

    # -- the thread ----------------------------------------------------------------------

    def _main(self) -> None:
        # Any error here (a store refusing writes past its busy timeout, say) stops the
        # supervisor: wait() then raises it, and the batches resume, cleaned up, when the
        # home is opened again. Half-recorded groups are exactly what resume repairs.
        try:
            while not self._stopping.is_set():
                self._step()
            self._take_commands(block=False)
            self._drain()
        except BaseException as exc:
            self.error = exc
            logger.exception("the batch supervisor stopped on an unexpected error")
        finally:
            if self._executor is not None:
                self._executor.shutdown()
                self._executor = None

    def _step(self) -> None:
        self._take_commands(block=not self._runs)
        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_INTERVAL:
            self.store.heartbeat(self.owner)
            self._last_heartbeat = now
        if now - self._last_cancel_poll >= CANCEL_POLL_INTERVAL and self._runs:
            for batch_id in self.store.cancel_requested(list(self._runs)):
                self._cancel(batch_id)
            self._last_cancel_poll = now
        self._dispatch()
        if self._executor is not None and any(r.in_flight for r in self._runs.values()):
            self._take(self._executor.collect(timeout=0.05))
        elif self._runs:
            time.sleep(IDLE_RECHECK / 2)
        if (time.monotonic() - self._last_flush >= FLUSH_INTERVAL
                or sum(len(r.results) for r in self._runs.values()) >= FLUSH_SIZE):
            self._flush()
        self._finish_ended()

    def _drain(self) -> None:
        """On close: let rows in flight come back (bounded), record them, leave the rest."""
        deadline = time.monotonic() + self._stop_grace
        while (self._executor is not None and time.monotonic() < deadline
               and any(r.in_flight for r in self._runs.values())):
            self._take(self._executor.collect(timeout=0.1))
        self._flush()
        self._finish_ended()
        for run in list(self._runs.values()):
            if run.stop_status is not None:
                self._end(run)

    def _take_commands(self, *, block: bool) -> None:
        try:
            command = self._commands.get(timeout=0.2) if block else self._commands.get_nowait()
        except queue.Empty:
            return
        while True:
            kind, batch_id, payload = command
            if kind == "admit":
                self._admit(batch_id, payload)
            elif kind == "cancel":
                self._cancel(batch_id)
            elif kind == "abort":
                self._cancel(batch_id, BatchStatus.FAILED, payload)
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return

    def _admit(self, batch_id: str, progress: ProgressCallback | None) -> None:
        record = self.store.get_batch(batch_id)
        if record is None or record.batch.status.ended or batch_id in self._runs:
            return
        run = _Run(record=record, spec=self._spec_builder(record), progress=progress)
        self._runs[batch_id] = run
        self._order.append(batch_id)
        if record.cancel_requested:
            self._cancel(batch_id)

    def _cancel(self, batch_id: str, status: BatchStatus = BatchStatus.CANCELLED,
                error: str | None = None) -> None:
        run = self._runs.get(batch_id)
        if run is None or run.stop_status is not None:
            return
        logger.info("stopping batch %s: %s", batch_id, status)
        run.stop_status = status
        run.stop_error = error
        if self._executor is not None:
            run.in_flight -= len(self._executor.cancel(batch_id))

    # -- dispatch ------------------------------------------------------------------------

    def _executor_now(self) -> Executor:
        if self._executor is None:
            self._executor = self._executor_factory()
        return self._executor

    def _dispatch(self) -> None:
        """Fill free worker slots, one chunk per active batch in turn (round-robin)."""
        if not self._order:
            return
        executor = self._executor_now()
        tried = 0
        while executor.free_slots() > 0 and tried < len(self._order):
            batch_id = self._order[0]
            self._order.rotate(-1)
            run = self._runs.get(batch_id)
            if run is None or not self._submit_chunk(executor, run):
                tried += 1
            else:
                tried = 0

    def _submit_chunk(self, executor: Executor, run: _Run) -> bool:
        if run.stop_status is not None or run.drained or time.monotonic() < run.retry_at:
            return False
        # Read ingest_done before the rows: rows recorded in between are seen next time.
        ingest_done = run.record.ingest_done or self._refresh_ingest(run)
        size = max(1, min(MAX_CHUNK, round(CHUNK_TARGET_SECONDS / max(run.avg_item_s, 1e-3))))
        rows = self.store.pending_items(run.batch_id, run.cursor, size)
        if not rows:
            if ingest_done:
                run.drained = True
            else:
                run.retry_at = time.monotonic() + IDLE_RECHECK
            return False
        if not run.started:
            self.store.mark_started(run.batch_id)
            run.started = True
        executor.submit(WorkChunk(spec=run.spec, rows=rows))
        run.cursor = rows[-1][0]
        run.in_flight += len(rows)
        return True

    def _refresh_ingest(self, run: _Run) -> bool:
        record = self.store.get_batch(run.batch_id)
        if record is not None:
            run.record = record
        return run.record.ingest_done

    # -- results -------------------------------------------------------------------------

    def _take(self, results: list[ItemResult]) -> None:
        for result in results:
            run = self._runs.get(result.batch_id)
            if run is None:
                # A batch that ended already (it cannot happen in normal flow): drop the file.
                if result.temp_path:
                    storage.remove_quietly(result.temp_path)
                continue
            run.in_flight -= 1
            run.avg_item_s = 0.8 * run.avg_item_s + 0.2 * (result.duration_ms / 1000)
            run.results.append(result)
            if result.fatal and run.stop_status is None:
                run.stop_status = BatchStatus.FAILED
                run.stop_error = result.error_message
                if self._executor is not None:
                    run.in_flight -= len(self._executor.cancel(run.batch_id))

    def _flush(self) -> None:
        self._last_flush = time.monotonic()
        for run in list(self._runs.values()):
            if run.results:
                results, run.results = run.results, []
                self._record(run, results)
                self._report(run)

    def _record(self, run: _Run, results: list[ItemResult]) -> None:
        folder = run.record.batch.output_dir or run.spec.output_dir  # a path or a URL
        completed = [r for r in results if r.status == "completed" and r.temp_path]
        names = self._choose_names(run, completed)
        planned = self.store.plan_paths(run.batch_id, list(names.items()))
        outcomes: list[Outcome] = []
        for result in results:
            if result.index in planned:
                outcomes.append(self._move_into_place(result, folder, names[result.index]))
            elif result.index in names:
                # Ended meanwhile (cancelled by another client): its image is not wanted.
                outcomes.append(_failed_outcome(result))
                storage.remove_quietly(result.temp_path or "")
            else:
                outcomes.append(_failed_outcome(result))
        self.store.record_outcomes(run.batch_id, outcomes)

    def _choose_names(self, run: _Run, completed: list[ItemResult]) -> dict[int, str]:
        fmt = run.spec.format
        sources: dict[int, int] = {}
        if run.record.batch.parent_id:
            sources = self.store.source_indexes(run.batch_id, [r.index for r in completed])
        taken: set[str] = set()
        names: dict[int, str] = {}
        for result in completed:
            stem = outputs.sanitize_stem(result.filename, fmt)
            if stem is None:
                stem = outputs.default_stem(sources.get(result.index, result.index))
            name = outputs.unique_name(stem, result.index, fmt, taken)
            suffix = 1
            while name in taken or self.store.path_taken(run.batch_id, name):
                name = f"{stem}-{result.index}-{suffix}{outputs.extension(fmt)}"
                suffix += 1
            taken.add(name)
            names[result.index] = name
        return names

    @staticmethod
    def _move_into_place(result: ItemResult, folder: str, name: str) -> Outcome:
        assert result.temp_path is not None
        try:
            storage.move(result.temp_path, folder, name)
        except Exception as exc:  # OSError, or a remote store's own error
            storage.remove_quietly(result.temp_path)
            return Outcome(
                index=result.index, status=ItemStatus.FAILED, duration_ms=result.duration_ms,
                error=ItemFailure(
                    ErrorCode.OUTPUT_WRITE_FAILED,
                    f"could not move the image to {storage.join(folder, name)}: {exc}"),
            )
        return Outcome(
            index=result.index, status=ItemStatus.COMPLETED, path=name,
            warnings=[ItemWarning(code, message) for code, message in result.warnings],
            text_fit=result.text_fit,
            duration_ms=result.duration_ms,
        )

    def _report(self, run: _Run) -> None:
        if run.progress is None:
            return
        record = self.store.get_batch(run.batch_id)
        if record is None:
            return
        try:
            run.progress(progress_event(record))
        except Exception:
            logger.exception("a progress callback of batch %s failed", run.batch_id)

    # -- ending --------------------------------------------------------------------------

    def _finish_ended(self) -> None:
        for run in list(self._runs.values()):
            if run.in_flight > 0 or run.results:
                continue
            if run.stop_status is not None or run.drained:
                self._end(run)

    def _end(self, run: _Run) -> None:
        self._flush_one(run)
        record = self.store.get_batch(run.batch_id)
        if record is None:
            return
        status = run.stop_status
        if status is None:
            batch = record.batch
            all_failed = batch.total_count > 0 and batch.failed_count == batch.total_count
            status = BatchStatus.FAILED if all_failed else BatchStatus.COMPLETED
        finish_batch(self.store, run.batch_id, status, run.stop_error, owner=self.owner)
        self._sender.notify()
        del self._runs[run.batch_id]
        self._order = deque(b for b in self._order if b != run.batch_id)
        self._report(run)
        logger.info("batch %s ended %s", run.batch_id, status)
        with self._ended:
            self._ended.notify_all()

    def _flush_one(self, run: _Run) -> None:
        if run.results:
            results, run.results = run.results, []
            self._record(run, results)


def _failed_outcome(result: ItemResult) -> Outcome:
    code = result.error_code or ErrorCode.RENDER_FAILED
    message = result.error_message or "rendering failed"
    if result.status == "completed":  # completed without a file: cannot be
        code, message = ErrorCode.OUTPUT_WRITE_FAILED, "the worker reported no output file"
    return Outcome(index=result.index, status=ItemStatus.FAILED, duration_ms=result.duration_ms,
                   error=ItemFailure(str(code), message, result.error_field))


def finish_batch(store: Store, batch_id: str, status: BatchStatus, error: str | None,
                 owner: str | None) -> None:
    """Give a batch its final status (and its webhook delivery), sweep its stray files."""
    record = store.get_batch(batch_id)
    if record is None:
        return
    remove_strays(store, record)
    store.end_batch(batch_id, status, error, delivery=delivery_for, owner=owner)


def remove_strays(store: Store, record: BatchRecord) -> None:
    """Delete files of a batch that no completed item accounts for.

    Those are temporaries, and files renamed into place for items whose end was never
    recorded (the client died in between): their planned path is still on the pending item.
    """
    if not record.batch.output_dir:
        return
    folder = record.batch.output_dir  # a path or a URL
    planned = store.planned_paths(record.batch.id)
    for _, path in planned:
        storage.remove_quietly(storage.join(folder, path))
    if planned:
        store.clear_planned(record.batch.id)
    swept = storage.sweep_temporaries(folder, record.batch.id)
    if planned or swept:
        logger.info("batch %s: removed %d unrecorded and %d temporary files",
                    record.batch.id, len(planned), swept)


def progress_event(record: BatchRecord) -> ProgressEvent:
    batch = record.batch
    elapsed = rate = eta = None
    if batch.started_at is not None:
        end = batch.completed_at.timestamp() if batch.completed_at else time.time()
        elapsed = max(0.0, end - batch.started_at.timestamp())
        done = batch.completed_count + batch.failed_count
        if elapsed > 0 and done:
            rate = done / elapsed
            eta = batch.pending_count / rate if not batch.status.ended else 0.0
    return ProgressEvent(
        batch_id=batch.id, status=batch.status, total_count=batch.total_count,
        completed_count=batch.completed_count, failed_count=batch.failed_count,
        cancelled_count=batch.cancelled_count, ingesting=not record.ingest_done,
        elapsed_s=elapsed, rate_per_s=rate, eta_s=eta,
    )
