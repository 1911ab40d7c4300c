"""Batch rendering: the Pictify client, its SQLite store, supervisor, executors and webhooks."""

from pictify_raster.batch.client import (
    Batches,
    BatchNotFoundError,
    Pictify,
    TemplateNotFoundError,
    Templates,
)
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
    WebhookDelivery,
)
from pictify_raster.batch.pool import ProcessPoolExecutor
from pictify_raster.batch.signing import sign, verify_signature
from pictify_raster.batch.webhooks import WebhookSettings

LocalExecutor = ProcessPoolExecutor

__all__ = [
    "Batch",
    "BatchItem",
    "BatchNotFoundError",
    "BatchResults",
    "BatchStats",
    "BatchStatus",
    "Batches",
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
    "ProcessPoolExecutor",
    "ProgressEvent",
    "TemplateNotFoundError",
    "Templates",
    "WebhookDelivery",
    "WebhookSettings",
    "WorkChunk",
    "sign",
    "verify_signature",
]
