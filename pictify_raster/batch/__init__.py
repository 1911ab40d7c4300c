"""Batch rendering: the Pictify client, its SQLite store, supervisor, executors and webhooks.

    client.py      Pictify, client.templates, client.batches (the public API)
    models.py      Batch, BatchItem, BatchResults, ItemFailure, deliveries, stats
    store.py       SQLite (WAL) access; schema.py holds the versioned migrations
    supervisor.py  the thread that feeds the executor and records results
    executor.py    the Executor interface; pool.py the local process pool
    dask_executor.py  the same work on a Dask cluster; storage.py output paths or fsspec URLs
    worker.py      what runs in a worker: compile once, render, encode, write
    outputs.py     file names, temporaries, clean-up after a crash
    webhooks.py    deliveries with retries; signing.py the signature scheme
    leases.py      which client runs which batch, and when to take over

Choices where DESIGN is silent:

- Output names: the layout's ``output.filename`` (sanitised); on a collision within a
  batch the item recorded later gets ``-<index>``; without a name ``<index:06d>.<ext>``
  (a retry batch uses the parent's index). jpeg files end in ``.jpg``.
- ``verify_signature`` returns False (never raises) for bad, missing or old signatures.
- Webhook event names are ``batch.completed``, ``batch.failed`` and ``batch.cancelled``.
- Rows are stored as JSON: dates become ISO text, other non-JSON values their ``str``.
- A batch whose rows were not all recorded when its client died ends ``failed``.
"""

from pictify_raster.batch.client import (
    Batches,
    BatchNotFoundError,
    Pictify,
    TemplateNotFoundError,
    Templates,
)
from pictify_raster.batch.dask_executor import DaskExecutor
from pictify_raster.batch.executor import Executor, ItemResult, JobSpec, WorkChunk
from pictify_raster.batch.models import (
    Batch,
    BatchItem,
    BatchResults,
    BatchStats,
    BatchStatus,
    DeliveryAttempt,
    DeliveryStatus,
    ItemFailure,
    ItemStatus,
    ItemWarning,
    ProgressEvent,
    WarningSummary,
    WebhookDelivery,
)
from pictify_raster.batch.pool import LocalExecutor
from pictify_raster.batch.signing import sign, verify_signature
from pictify_raster.batch.webhooks import WebhookSettings

__all__ = [
    "Batch",
    "BatchItem",
    "BatchNotFoundError",
    "BatchResults",
    "BatchStats",
    "BatchStatus",
    "Batches",
    "DaskExecutor",
    "DeliveryAttempt",
    "DeliveryStatus",
    "Executor",
    "ItemFailure",
    "ItemResult",
    "ItemStatus",
    "ItemWarning",
    "JobSpec",
    "LocalExecutor",
    "Pictify",
    "ProgressEvent",
    "TemplateNotFoundError",
    "Templates",
    "WarningSummary",
    "WebhookDelivery",
    "WebhookSettings",
    "WorkChunk",
    "sign",
    "verify_signature",
]
