"""The Pictify client (DESIGN section 1): templates, batches, results, webhooks.

One client owns one home folder's store, a supervisor thread with its executor, and a
webhook sender thread. Several clients may open the same home: each runs its own
batches; any can read all of them; a client opening a home takes over the unfinished
batches of clients that are gone.
"""

from __future__ import annotations

import builtins
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from pictify_raster.batch import leases, outputs, storage
from pictify_raster.batch.executor import Executor, JobSpec
from pictify_raster.batch.models import (
    Batch,
    BatchItem,
    BatchResults,
    BatchStats,
    BatchStatus,
    DeliveryStatus,
    ItemFailure,
    ItemStatus,
    ProgressEvent,
    WarningSummary,
    WebhookDelivery,
)
from pictify_raster.batch.store import BatchRecord, ItemRow, Outcome, Store, TemplateRecord
from pictify_raster.batch.supervisor import (
    ProgressCallback,
    Supervisor,
    finish_batch,
    progress_event,
    remove_strays,
)
from pictify_raster.batch.webhooks import WebhookSender, WebhookSettings, enqueue
from pictify_raster.errors import ErrorCode, PictifyError, UnreadableRow, not_variables
from pictify_raster.fetch import FetchSettings

logger = logging.getLogger(__name__)

FORMATS = ("png", "jpeg", "webp", "avif")
INGEST_CHUNK = 500
INTERRUPTED = "the client stopped before all rows were recorded"


class BatchNotFoundError(PictifyError, KeyError):
    """No batch with that id in this home."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "batch not found"


class TemplateNotFoundError(PictifyError, KeyError):
    """No template registered under that uid in this home."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "template not found"


def _json_default(value: Any) -> Any:
    """Rows keep their meaning in JSON: dates as ISO text, decimals and the rest as text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def encode_row(row: Any) -> str:
    return json.dumps(row, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _normalise_format(fmt: str) -> str:
    value = fmt.lower().strip()
    value = "jpeg" if value == "jpg" else value
    if value not in FORMATS:
        msg = f"format {fmt!r} is not one of {', '.join(FORMATS)}"
        raise ValueError(msg)
    return value


def _check_webhook_url(url: str | None) -> None:
    if url is not None and not url.lower().startswith(("http://", "https://")):
        msg = "webhook_url must be an http:// or https:// URL"
        raise ValueError(msg)


def _check_settings(workers: int | None, item_timeout: float | None, retries: int,
                    backoff: float) -> None:
    if workers is not None and workers < 1:
        msg = f"workers must be at least 1 (or None for one per core), got {workers}"
        raise ValueError(msg)
    if item_timeout is not None and item_timeout <= 0:
        msg = f"item_timeout must be positive seconds (or None for no limit), got {item_timeout}"
        raise ValueError(msg)
    if retries < 0 or backoff < 0:
        msg = f"webhook_retries and webhook_backoff must not be negative, got {retries}, {backoff}"
        raise ValueError(msg)


class Pictify:
    """A batch-rendering client whose store and outputs live in ``home``.

    ``webhook_retries`` attempts follow the first failed one, the n-th after
    ``webhook_backoff * webhook_backoff_factor**(n-1)`` seconds. ``executor`` replaces
    the local process pool (e.g. a Dask executor). ``resume=False`` opens the home
    without taking over unfinished batches. ``read_only=True`` opens an existing home
    only to look at it (StoreNotFoundError when there is none): nothing is created,
    resumed, rendered or sent, and calls that would change the store raise. Several
    read-only clients may look while another client renders.
    """

    def __init__(  # noqa: PLR0917 - the positional order of DESIGN section 1
        self,
        home: str | os.PathLike[str] = "pictify-data",
        workers: int | None = None,
        item_timeout: float | None = 30.0,
        allowed_roots: Iterable[str | os.PathLike[str]] = (),
        allow_private_networks: bool = False,
        public_base_url: str | None = None,
        *,
        webhook_retries: int = 5,
        webhook_backoff: float = 1.0,
        webhook_backoff_factor: float = 2.0,
        webhook_timeout: float = 10.0,
        executor: Executor | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        resume: bool = True,
        read_only: bool = False,
        fetch_settings: FetchSettings | None = None,
        _renderer_factory: str | None = None,
    ) -> None:
        _refuse_inside_worker_start()
        _check_settings(workers, item_timeout, webhook_retries, webhook_backoff)
        self.home = Path(home).resolve()
        self.outputs_root = self.home / "outputs"
        self.workers = workers or os.cpu_count() or 1
        self.item_timeout = item_timeout
        self.allowed_roots = tuple(str(Path(p).resolve()) for p in allowed_roots)
        self.allow_private_networks = allow_private_networks
        # Image limits (time-outs, bytes, pixels, redirects); the roots, the
        # network switch and the cache folder above take precedence over its own.
        self.fetch_settings = fetch_settings
        self.public_base_url = public_base_url
        self.cache_dir = str(Path(cache_dir).resolve()) if cache_dir else str(self.home / "cache")
        self._renderer_factory = _renderer_factory
        self._executor = executor
        attach = getattr(executor, "attach", None)
        if attach is not None:
            attach(item_timeout=item_timeout)  # a DaskExecutor takes the client's time limit
        self.read_only = read_only
        self.store = Store(self.home, create=not read_only)
        self.owner = leases.new_owner()
        self.webhook_settings = WebhookSettings(
            retries=webhook_retries, backoff=webhook_backoff,
            backoff_factor=webhook_backoff_factor, timeout=webhook_timeout,
        )
        self._sender = WebhookSender(self.store, self.owner, self.webhook_settings)
        grace = min(item_timeout or 10.0, 10.0) + 1.0
        self._supervisor = Supervisor(
            self.store, owner=self.owner, executor_factory=self._make_executor,
            spec_builder=self._job_spec, sender=self._sender, stop_grace=grace,
        )
        self._closed = False
        self._resumed: list[str] = []
        self.templates = Templates(self)
        self.batches = Batches(self)
        if read_only:
            return  # no threads: a reader must not send due webhooks or take over work
        self._sender.start()
        self._supervisor.start()
        if resume:
            self.batches.resume()

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Pictify:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop rendering and sending; unfinished batches resume when the home is reopened."""
        if self._closed:
            return
        self._closed = True
        self._supervisor.stop()
        if self._executor is not None:
            self._executor.shutdown()  # also when no batch ever used it (a Dask connection)
        self._sender.stop()
        if not self.read_only:
            self.store.release(self.owner)
        leases.retire(self.owner)
        self.store.close()

    def render_batch(self, template: str | os.PathLike[str], variable_sets: Iterable[Any],
                     **options: Any) -> Batch:
        """Register ``template`` if it is a layout file, render every row, wait for the end."""
        uid = str(template)
        if Path(template).is_file():
            uid = self.templates.register(template)
        batch = self.templates.batch_render(uid, variable_sets, **options)
        return self.batches.wait(batch.id)

    # -- internals shared by the namespaces ----------------------------------------------

    def _make_executor(self) -> Executor:
        if self._executor is not None:
            return self._executor
        from pictify_raster.batch.pool import LocalExecutor

        return LocalExecutor(self.workers, self.item_timeout)

    def _job_spec(self, record: BatchRecord) -> JobSpec:
        batch = record.batch
        return JobSpec(
            batch_id=batch.id, template_uid=batch.template_uid,
            layout_source=record.layout_source, layout_path=record.layout_path,
            source_hash=record.source_hash, format=batch.format, quality=batch.quality,
            output_dir=batch.output_dir or str(self.outputs_root / batch.id),
            allowed_roots=self.allowed_roots, allow_private_networks=self.allow_private_networks,
            cache_dir=self.cache_dir, renderer_factory=self._renderer_factory,
            fetch_settings=self.fetch_settings,
        )

    def _check_open(self) -> None:
        if self._closed:
            msg = f"this Pictify client of {self.home} is closed"
            raise RuntimeError(msg)
        if self._supervisor.error is not None:
            msg = f"the batch supervisor stopped: {self._supervisor.error}"
            raise RuntimeError(msg)

    def _check_writable(self) -> None:
        self._check_open()
        if self.read_only:
            msg = f"this Pictify client of {self.home} is read-only"
            raise RuntimeError(msg)

    def _record(self, batch_id: str) -> BatchRecord:
        record = self.store.get_batch(batch_id)
        if record is None:
            msg = f"no batch {batch_id!r} in {self.home}"
            raise BatchNotFoundError(msg)
        return record

    def _item(self, batch: Batch, row: ItemRow) -> BatchItem:
        if row.path is None or not batch.output_dir:
            return row.to_item(None, None)
        if storage.is_url(batch.output_dir):
            return row.to_item(*storage.item_location(batch.output_dir, row.path, batch.id,
                                                      self.public_base_url))
        full = Path(batch.output_dir) / row.path
        if self.public_base_url:
            try:
                relative = full.relative_to(self.outputs_root).as_posix()
            except ValueError:
                relative = row.path  # a custom output_dir: the name alone
            url = outputs.public_url(self.public_base_url, relative)
        else:
            url = outputs.file_url(full)
        return row.to_item(url, str(full))

    def _start_batch(
        self, template: TemplateRecord, rows: Iterable[tuple[Any, int | None]], *, fmt: str,
        quality: int, webhook_url: str | None, webhook_secret: str | None,
        output_dir: str | os.PathLike[str] | None, parent_id: str | None,
        progress: ProgressCallback | None,
    ) -> Batch:
        self._check_writable()
        _check_webhook_url(webhook_url)
        chunks = _chunks(rows)
        # The first chunk is read before the batch exists: rows that cannot be read at
        # all (an undecodable file, no rows) raise here and leave no empty batch behind.
        first = next(chunks, [])
        batch_id = "batch_" + uuid.uuid4().hex[:20]
        root = getattr(self._executor, "outputs", None) or self.outputs_root
        folder = storage.prepare_folder(output_dir or None, root, batch_id)
        self.store.create_batch(
            batch_id=batch_id, template=template, fmt=fmt, quality=quality,
            webhook_url=webhook_url, webhook_secret=webhook_secret, output_dir=folder,
            custom_output_dir=output_dir is not None, parent_id=parent_id, owner=self.owner,
        )
        self._supervisor.admit(batch_id, progress)
        try:
            _ingest(self.store, batch_id, itertools.chain([first], chunks))
        except BaseException as exc:
            reason = f"reading the rows failed: {type(exc).__name__}: {exc}".rstrip(": ")
            # Info, not error: the caller gets the exception itself and reports it once.
            logger.info("batch %s: %s", batch_id, reason)
            self._supervisor.abort(batch_id, reason)
            self.store.finish_ingest(batch_id)
            raise
        self.store.finish_ingest(batch_id)
        return self._record(batch_id).batch


def _chunks(rows: Iterable[tuple[Any, int | None]]) -> Iterator[list[tuple[Any, int | None]]]:
    """The rows a chunk at a time: memory stays bounded, rendering starts early."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, INGEST_CHUNK)):
        yield chunk


def _ingest(store: Store, batch_id: str,
            chunks: Iterable[list[tuple[Any, int | None]]]) -> None:
    """Record the rows, one transaction per chunk."""
    index = 0
    for chunk in chunks:
        if not chunk:
            continue
        records: list[tuple[int, str, int | None]] = []
        refused: list[Outcome] = []
        for row, source_index in chunk:
            if isinstance(row, UnreadableRow):
                # A line of the data file that could not be read fails alone.
                records.append((index, encode_row({"_unreadable": row.text}), source_index))
                refused.append(_refused(index, row.reason))
            else:
                records.append((index, encode_row(row), source_index))
                if not isinstance(row, Mapping):
                    refused.append(_refused(index, not_variables(index, row)))
            index += 1
        store.add_items(batch_id, records, refused)


def _refuse_inside_worker_start() -> None:
    """Refuse to open a client while a new worker process re-imports the user's script.

    Worker processes start by importing the main module (spawn and forkserver do
    this on every platform). A script that opens a client at its top level would
    then open one in every worker, which start workers of their own. Saying so
    once beats thousands of lines of tracebacks and half-started batches.
    """
    if getattr(multiprocessing.current_process(), "_inheriting", False):
        # One line, then leave quietly: a traceback per worker would bury it.
        sys.stderr.write(
            "pictify_raster: a worker process started while your script opened a Pictify "
            "client at its top level; put that code under  if __name__ == \"__main__\":\n"
        )
        raise SystemExit(1)


def _refused(index: int, reason: str) -> Outcome:
    error = ItemFailure(ErrorCode.INVALID_VARIABLE, reason)
    return Outcome(index=index, status=ItemStatus.FAILED, duration_ms=0, error=error)


class Templates:
    """``client.templates``: register layouts, start batches, read their results."""

    def __init__(self, client: Pictify) -> None:
        self._client = client

    def register(self, path: str | os.PathLike[str]) -> str:
        """Load and check the layout at ``path``; store its text; return its uid.

        Raises LayoutError when the layout is refused. Registering again replaces the
        stored text; batches already started keep the text they started with.
        """
        from pictify_raster.layout import load_layout

        self._client._check_writable()
        file = Path(path).resolve()
        layout = load_layout(file)
        source = layout.source
        self._client.store.put_template(TemplateRecord(
            uid=layout.uid, name=layout.name, path=str(file), source=source,
            source_hash=hashlib.sha256(source.encode("utf-8")).hexdigest(),
        ))
        logger.info("registered template %s from %s", layout.uid, file)
        return layout.uid

    def get(self, uid: str) -> TemplateRecord:
        record = self._client.store.get_template(uid)
        if record is None:
            msg = f"no template {uid!r} is registered in {self._client.home}; register it first"
            raise TemplateNotFoundError(msg)
        return record

    def list(self) -> builtins.list[TemplateRecord]:
        return self._client.store.list_templates()

    def _defaults(self, record: TemplateRecord) -> tuple[str, int]:
        """The layout's output format and quality, used when the call gives none."""
        from pictify_raster.layout import parse_layout

        layout = parse_layout(record.source, path=Path(record.path))
        return layout.output_format or "png", layout.output_quality

    def batch_render(  # noqa: PLR0917 - the signature of DESIGN section 1
        self,
        uid: str,
        variable_sets: Iterable[Any],
        format: str | None = None,
        quality: int | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        output_dir: str | os.PathLike[str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> Batch:
        """Record every row (streamed, a chunk at a time) and return the batch.

        Rendering starts with the first chunk and goes on in the background; use
        ``client.batches.wait``. ``format``/``quality`` default to the layout's
        ``output`` section, else png / 90. ``output_dir`` writes the images there instead
        of ``home/outputs/<batch id>/``. ``progress`` is called from the supervisor
        thread with a ProgressEvent after each group of results.
        """
        record = self.get(uid)
        default_format, default_quality = self._defaults(record)
        fmt = _normalise_format(format or default_format)
        q = default_quality if quality is None else quality
        if not 1 <= q <= 100:
            msg = f"quality must be between 1 and 100, got {q}"
            raise ValueError(msg)
        rows = ((row, None) for row in variable_sets)
        return self._client._start_batch(
            record, rows, fmt=fmt, quality=q, webhook_url=webhook_url,
            webhook_secret=webhook_secret, output_dir=output_dir, parent_id=None,
            progress=progress,
        )

    def get_batch_results(self, batch_id: str, status: str | None = None, offset: int = 0,
                          limit: int | None = None) -> BatchResults:
        """One page of items in index order, optionally only those of one status."""
        if status is not None:
            status = str(ItemStatus(status))
        if offset < 0 or (limit is not None and limit < 0):
            msg = f"offset and limit must not be negative, got {offset} and {limit}"
            raise ValueError(msg)
        client = self._client
        batch = client._record(batch_id).batch
        rows = client.store.get_items(batch_id, status=status, offset=offset, limit=limit)
        return BatchResults(batch=batch, results=[client._item(batch, r) for r in rows],
                            offset=offset, limit=limit)

    def iter_batch_results(self, batch_id: str, status: str | None = None) -> Iterator[BatchItem]:
        """Every item, read from the store a page at a time."""
        client = self._client
        batch = client._record(batch_id).batch
        for row in client.store.iter_items(batch_id, status=status):
            yield client._item(batch, row)


class Batches:
    """``client.batches``: look at, wait for, cancel, retry and resume batches."""

    def __init__(self, client: Pictify) -> None:
        self._client = client

    def get(self, batch_id: str) -> Batch:
        return self._client._record(batch_id).batch

    def list(self, status: str | None = None, limit: int | None = None,
             offset: int = 0) -> builtins.list[Batch]:
        """Newest first."""
        if status is not None:
            status = str(BatchStatus(status))
        records = self._client.store.list_batches(status=status, limit=limit, offset=offset)
        return [r.batch for r in records]

    def wait(self, batch_id: str, progress: bool = False,
             timeout: float | None = None) -> Batch:
        """Block until the batch ends; a tqdm bar on stderr with ``progress=True``.

        Raises TimeoutError after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        bar = _ProgressBar(batch_id) if progress else None
        try:
            while True:
                record = self._client._record(batch_id)
                if bar is not None:
                    bar.update(progress_event(record))
                if record.batch.status.ended:
                    return record.batch
                if self._client._supervisor.error is not None:
                    self._client._check_open()
                if deadline is not None and time.monotonic() >= deadline:
                    msg = f"batch {batch_id} did not end within {timeout:g} s"
                    raise TimeoutError(msg)
                self._client._supervisor.wait_change(0.1)
        finally:
            if bar is not None:
                bar.close()

    def watch(self, batch_id: str, interval: float = 0.5) -> Iterator[ProgressEvent]:
        """Progress events every ``interval`` seconds until the batch ends (the last included)."""
        while True:
            event = progress_event(self._client._record(batch_id))
            yield event
            if event.status.ended:
                return
            time.sleep(interval)

    def stats(self, batch_id: str) -> BatchStats:
        """Counts by status, failures by code, rate, time left and webhook deliveries."""
        store = self._client.store
        record = self._client._record(batch_id)
        event = progress_event(record)
        return BatchStats(
            batch=record.batch, counts=store.counts_by_status(batch_id),
            failures_by_code=store.failures_by_code(batch_id), elapsed_s=event.elapsed_s,
            rate_per_s=event.rate_per_s, eta_s=event.eta_s,
            deliveries=store.get_deliveries(batch_id),
        )

    def warnings(self, batch_id: str, examples: int = 3) -> builtins.list[WarningSummary]:
        """The warning codes of the batch's completed items, each with how many and examples."""
        self._client._record(batch_id)
        return self._client.store.warnings_by_code(batch_id, examples)

    def deliveries(self, batch_id: str) -> builtins.list[WebhookDelivery]:
        self._client._record(batch_id)
        return self._client.store.get_deliveries(batch_id)

    def cancel(self, batch_id: str) -> Batch:
        """Stop a batch: nothing more is dispatched, pending items end ``cancelled``.

        Items already rendering finish (or time out). Returns at once when this client
        runs the batch (``wait`` for the end); a batch nobody runs ends here and now.
        """
        client = self._client
        client._check_writable()
        record = client._record(batch_id)
        if record.batch.status.ended:
            return record.batch
        client.store.request_cancel(batch_id)
        if client._supervisor.is_running(batch_id) or record.owner == client.owner:
            client._supervisor.cancel(batch_id)
        elif leases.claimable(record.owner, record.heartbeat_at) and client.store.claim_batch(
            batch_id, client.owner, record.owner
        ):
            finish_batch(client.store, batch_id, BatchStatus.CANCELLED, None, client.owner)
            client._sender.notify()
        return client._record(batch_id).batch

    def retry_failed(self, batch_id: str, progress: ProgressCallback | None = None) -> Batch:
        """A new batch of the failed items' rows, linked by ``parent_id``.

        Each new item carries its index in this batch as ``source_index``. It renders
        with the template as registered now (so a fixed layout is picked up), else the
        one the parent used; same format, quality, webhook and output folder choice.
        """
        client = self._client
        record = client._record(batch_id)
        parent = record.batch
        if not parent.status.ended:
            msg = f"batch {batch_id} is still {parent.status}; retry it once it has ended"
            raise ValueError(msg)
        template = client.store.get_template(parent.template_uid) or TemplateRecord(
            uid=parent.template_uid, name=None, path=record.layout_path,
            source=record.layout_source, source_hash=record.source_hash,
        )
        rows = ((item.variables, item.index)
                for item in client.store.iter_items(batch_id, status="failed"))
        return client._start_batch(
            template, rows, fmt=parent.format, quality=parent.quality,
            webhook_url=parent.webhook_url, webhook_secret=record.webhook_secret,
            output_dir=parent.output_dir if record.custom_output_dir else None,
            parent_id=batch_id, progress=progress,
        )

    def resume(self) -> builtins.list[str]:
        """Take over the unfinished batches (and webhook deliveries) of clients that are gone.

        Files those clients left that no completed item accounts for are deleted first, and
        their pending items render again. A batch whose rows were not all recorded ends
        ``failed``. Opening a client already does this (unless ``resume=False``). Returns
        the ids of the resumed batches still running here, those resumed on opening included.
        """
        client = self._client
        client._check_writable()
        store = client.store
        for record in store.unfinished_batches():
            batch_id = record.batch.id
            if client._supervisor.is_running(batch_id):
                continue
            if not leases.claimable(record.owner, record.heartbeat_at):
                continue
            if not store.claim_batch(batch_id, client.owner, record.owner):
                continue
            logger.info("resuming batch %s", batch_id)
            fresh = client._record(batch_id)
            remove_strays(store, fresh)
            if not fresh.ingest_done:
                finish_batch(store, batch_id, BatchStatus.FAILED, INTERRUPTED, client.owner)
            elif fresh.cancel_requested:
                finish_batch(store, batch_id, BatchStatus.CANCELLED, None, client.owner)
            else:
                client._supervisor.admit(batch_id)
                client._resumed.append(batch_id)
        for delivery_id, owner, heartbeat in store.orphan_deliveries():
            if leases.claimable(owner, heartbeat):
                store.claim_delivery(delivery_id, client.owner, owner)
        client._sender.notify()
        return [b for b in client._resumed if client._supervisor.is_running(b)
                or not client._record(b).batch.status.ended]

    def redeliver(self, batch_id: str, wait: float | None = None) -> WebhookDelivery:
        """Send an ended batch's webhook again, as a new delivery (new delivery id).

        Returns the delivery; with ``wait`` (seconds) only once it was delivered or
        failed, or the wait ran out.
        """
        client = self._client
        client._check_writable()
        batch = client._record(batch_id).batch
        if not batch.status.ended:
            msg = f"batch {batch_id} is still {batch.status}; it has no webhook to send yet"
            raise ValueError(msg)
        if not batch.webhook_url:
            msg = f"batch {batch_id} has no webhook_url"
            raise ValueError(msg)
        delivery_id = enqueue(client.store, batch, client.owner)
        client._sender.notify()
        deadline = time.monotonic() + (wait or 0)
        while True:
            delivery = next(d for d in client.store.get_deliveries(batch_id)
                            if d.id == delivery_id)
            if delivery.status is not DeliveryStatus.PENDING or time.monotonic() >= deadline:
                return delivery
            time.sleep(0.05)


class _ProgressBar:
    """A tqdm bar fed with progress events."""

    def __init__(self, batch_id: str) -> None:
        from tqdm import tqdm

        # Redrawn ten times a second on a terminal; into a log or a pipe, once
        # every few seconds, so a CI log is not thousands of carriage returns.
        interval = 0.1 if sys.stderr.isatty() else 5.0
        self._bar = tqdm(desc=batch_id, unit="img", dynamic_ncols=True, mininterval=interval)
        self._failed = -1

    def update(self, event: ProgressEvent) -> None:
        if self._bar.total != event.total_count:
            self._bar.total = event.total_count
        self._bar.n = event.done_count
        if event.failed_count != self._failed:
            self._failed = event.failed_count
            self._bar.set_postfix(failed=event.failed_count, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()

