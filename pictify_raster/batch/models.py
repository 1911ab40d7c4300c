"""The objects users see: batches, items, their errors, results pages and webhook deliveries.

Python attributes are snake_case; ``to_json()`` gives the camelCase dicts that leave the
library (webhook bodies, ``--json`` output, an HTTP API), as DESIGN section 1 asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class BatchStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def ended(self) -> bool:
        return self in (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED)


class ItemStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, the form webhook receivers expect."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ItemFailure:
    """Why an item failed: an ErrorCode value, a message, and the field to blame if any."""

    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


@dataclass(frozen=True)
class ItemWarning:
    """A substitution made while rendering an item that still completed."""

    code: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class BatchItem:
    """One row of a batch and what became of it.

    ``source_index`` is the item's index in the parent batch when this batch retries
    another one's failures, else None.
    """

    index: int
    status: ItemStatus
    variables: Any
    url: str | None = None
    path: str | None = None
    error: ItemFailure | None = None
    warnings: list[ItemWarning] = field(default_factory=list)
    duration_ms: int | None = None
    source_index: int | None = None
    text_fit: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per text layer path: the final ``fontSize``, ``lines`` and ``truncated``."""

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": str(self.status),
            "url": self.url,
            "path": self.path,
            "error": self.error.to_json() if self.error else None,
            "variables": self.variables,
            "warnings": [w.to_json() for w in self.warnings],
            "durationMs": self.duration_ms,
            "sourceIndex": self.source_index,
            "textFit": self.text_fit,
        }


@dataclass(frozen=True)
class Batch:
    """A snapshot of one batch, read from the store."""

    id: str
    template_uid: str
    status: BatchStatus
    total_count: int
    completed_count: int
    failed_count: int
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None
    format: str
    webhook_url: str | None
    quality: int = 90
    cancelled_count: int = 0
    parent_id: str | None = None
    output_dir: str | None = None
    error: str | None = None

    @property
    def pending_count(self) -> int:
        return self.total_count - self.completed_count - self.failed_count - self.cancelled_count

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "templateUid": self.template_uid,
            "status": str(self.status),
            "totalCount": self.total_count,
            "completedCount": self.completed_count,
            "failedCount": self.failed_count,
            "cancelledCount": self.cancelled_count,
            "createdAt": iso(self.created_at),
            "startedAt": iso(self.started_at),
            "completedAt": iso(self.completed_at),
            "durationMs": self.duration_ms,
            "format": self.format,
            "quality": self.quality,
            "webhookUrl": self.webhook_url,
            "parentId": self.parent_id,
            "outputDir": self.output_dir,
            "error": self.error,
        }


@dataclass(frozen=True)
class WarningSummary:
    """How many completed items of a batch carry one warning code, and the first few."""

    code: str
    count: int
    examples: list[tuple[int, str]] = field(default_factory=list)
    """(item index, message) of the first items with this code, in index order."""

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "count": self.count,
            "examples": [{"index": index, "message": message} for index, message in self.examples],
        }


@dataclass(frozen=True)
class BatchResults:
    """One page of a batch's items, with the batch as it stood when the page was read."""

    batch: Batch
    results: list[BatchItem]
    offset: int = 0
    limit: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch.to_json(),
            "results": [item.to_json() for item in self.results],
            "offset": self.offset,
            "limit": self.limit,
        }


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of a webhook delivery: its status code, or the error that prevented one."""

    number: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "at": iso(self.at),
            "statusCode": self.status_code,
            "error": self.error,
            "durationMs": self.duration_ms,
        }


@dataclass(frozen=True)
class WebhookDelivery:
    """The notification of one batch's end, and every attempt made to deliver it."""

    id: str
    batch_id: str
    event: str
    url: str
    status: DeliveryStatus
    created_at: datetime
    next_attempt_at: datetime | None
    attempts: list[DeliveryAttempt] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "batchId": self.batch_id,
            "event": self.event,
            "url": self.url,
            "status": str(self.status),
            "createdAt": iso(self.created_at),
            "nextAttemptAt": iso(self.next_attempt_at),
            "attempts": [a.to_json() for a in self.attempts],
        }


@dataclass(frozen=True)
class BatchStats:
    """What ``batches show`` prints: counts, failures by code, speed and time left."""

    batch: Batch
    counts: dict[str, int]
    failures_by_code: dict[str, int]
    elapsed_s: float | None
    rate_per_s: float | None
    eta_s: float | None
    deliveries: list[WebhookDelivery] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch.to_json(),
            "counts": self.counts,
            "failuresByCode": self.failures_by_code,
            "elapsedSeconds": self.elapsed_s,
            "ratePerSecond": self.rate_per_s,
            "etaSeconds": self.eta_s,
            "deliveries": [d.to_json() for d in self.deliveries],
        }


@dataclass(frozen=True)
class ProgressEvent:
    """Sent to progress callbacks and yielded by ``batches.watch`` as a batch advances."""

    batch_id: str
    status: BatchStatus
    total_count: int
    completed_count: int
    failed_count: int
    cancelled_count: int
    ingesting: bool
    elapsed_s: float | None
    rate_per_s: float | None
    eta_s: float | None

    @property
    def done_count(self) -> int:
        return self.completed_count + self.failed_count + self.cancelled_count
