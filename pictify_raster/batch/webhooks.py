"""Webhook deliveries: the POST sent when a batch ends, retried with exponential backoff.

A delivery is created in the store when its batch ends, with its body fixed then, so
every retry sends the same bytes and the same X-Pictify-Delivery-Id (only the signature's
timestamp is new). A sender thread of the owning client makes the attempts and records
each one. A delivery that never succeeds ends ``failed``; the batch's status is never
touched. Secrets and URL credentials are never logged.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from pictify_raster.batch.models import Batch, BatchStatus, DeliveryStatus, iso
from pictify_raster.batch.signing import SIGNATURE_HEADER, sign
from pictify_raster.batch.store import NewDelivery, Store
from pictify_raster.fetch.urls import install_log_redaction, redact_text

logger = logging.getLogger(__name__)

EVENT_HEADER = "X-Pictify-Event"
DELIVERY_HEADER = "X-Pictify-Delivery-Id"
USER_AGENT = "pictify-raster-webhook/0.1"


@dataclass(frozen=True)
class WebhookSettings:
    """``retries`` after the first attempt; the n-th retry waits backoff * factor**(n-1) s."""

    retries: int = 5
    backoff: float = 1.0
    backoff_factor: float = 2.0
    backoff_max: float = 600.0
    timeout: float = 10.0

    def delay_before(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        return min(self.backoff_max, self.backoff * self.backoff_factor ** (retry - 1))

    def longest_schedule(self) -> float:
        """Seconds from the first attempt to the end of the last, when every one times out."""
        waits = sum(self.delay_before(retry) for retry in range(1, self.retries + 1))
        return waits + (self.retries + 1) * self.timeout


def redact_url(url: str) -> str:
    """The URL without user, password, query or fragment: safe to log."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return "<unparseable url>"


def display_url(url: str) -> str:
    """The URL as a person may see it: credentials shown as ``***@``, secret query values masked.

    Unlike redact_url the path and the harmless query values stay, so that the user can
    tell which receiver it is.
    """
    shown = redact_text(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return shown
    if "@" in parts.netloc and "://" in shown:
        scheme, _, rest = shown.partition("://")
        shown = f"{scheme}://***@{rest}"
    return shown


def event_name(status: BatchStatus) -> str:
    """``batch.completed``, ``batch.failed`` or ``batch.cancelled``."""
    return f"batch.{status}"


def build_body(batch: Batch, now: datetime | None = None) -> str:
    """The JSON body of DESIGN section 5, compact, keys in the documented order."""
    payload: dict[str, Any] = {
        "event": event_name(batch.status),
        "timestamp": iso(now or datetime.now(UTC)),
        "data": {
            "batchId": batch.id,
            "templateUid": batch.template_uid,
            "status": str(batch.status),
            "totalCount": batch.total_count,
            "completedCount": batch.completed_count,
            "failedCount": batch.failed_count,
            "duration": batch.duration_ms or 0,
        },
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def new_delivery_id() -> str:
    return "dlv_" + uuid.uuid4().hex


def delivery_for(batch: Batch) -> NewDelivery | None:
    """The delivery announcing an ended batch, or None when it has no webhook URL."""
    if not batch.webhook_url:
        return None
    return NewDelivery(delivery_id=new_delivery_id(), event=event_name(batch.status),
                       url=batch.webhook_url, body=build_body(batch))


def enqueue(store: Store, batch: Batch, owner: str | None) -> str | None:
    """Create a new delivery for an ended batch (a redelivery); return its id."""
    new = delivery_for(batch)
    if new is None:
        return None
    store.create_delivery(new, batch.id, owner)
    return new.delivery_id


class WebhookSender:
    """A thread that makes the due attempts of this client's deliveries."""

    def __init__(self, store: Store, owner: str, settings: WebhookSettings) -> None:
        self.store = store
        self.owner = owner
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._session = requests.Session()
        # urllib3 logs each request line, query string included, at DEBUG level.
        install_log_redaction()
        self._thread = threading.Thread(target=self._run, name="pictify-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(self.settings.timeout + 5)
        self._session.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for delivery in self.store.due_deliveries(self.owner, time.time()):
                    if self._stop.is_set():
                        return
                    self._attempt(*delivery)
                wait = self._seconds_to_next()
            except Exception:
                logger.exception("webhook sender failed; retrying in 1 s")
                wait = 1.0
            self._wake.wait(wait)
            self._wake.clear()

    def _seconds_to_next(self) -> float:
        due = self.store.next_delivery_time(self.owner)
        if due is None:
            return 60.0
        return max(0.0, min(60.0, due - time.time()))

    def _attempt(self, delivery_id: str, batch_id: str, url: str, body: str,
                 done: int) -> None:
        number = done + 1
        record = self.store.get_batch(batch_id)
        secret = record.webhook_secret if record else None
        event = json.loads(body).get("event", "batch.completed")
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: event,
            DELIVERY_HEADER: delivery_id,
        }
        data = body.encode("utf-8")
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, data)
        at = time.time()
        status_code, error = self._post(url, data, headers)
        duration_ms = round((time.time() - at) * 1000)
        ok = status_code is not None and 200 <= status_code < 300
        if ok:
            final, next_at = DeliveryStatus.DELIVERED, None
        elif number > self.settings.retries:
            final, next_at = DeliveryStatus.FAILED, None
        else:
            final = DeliveryStatus.PENDING
            next_at = time.time() + self.settings.delay_before(number)
        self.store.record_attempt(
            delivery_id, number=number, at=at, status_code=status_code, error=error,
            duration_ms=duration_ms, final_status=final, next_attempt_at=next_at,
        )
        logger.info("webhook %s to %s, attempt %d: %s -> %s", delivery_id, redact_url(url),
                    number, status_code if status_code is not None else error, final)

    def _post(self, url: str, data: bytes,
              headers: dict[str, str]) -> tuple[int | None, str | None]:
        try:
            response = self._session.post(url, data=data, headers=headers,
                                          timeout=self.settings.timeout, allow_redirects=False)
        except requests.Timeout:
            return None, f"timed out after {self.settings.timeout:g} s"
        except requests.ConnectionError as exc:
            return None, f"connection failed: {_root_cause(exc)}"
        except requests.RequestException as exc:
            return None, f"request failed: {type(exc).__name__}"
        code = response.status_code
        response.close()
        return code, None if 200 <= code < 300 else f"HTTP {code}"


def _root_cause(exc: BaseException) -> str:
    """The innermost error's class and text, with the URL (and its credentials) left out."""
    cause: BaseException = exc
    while cause.__cause__ is not None or cause.__context__ is not None:
        nxt = cause.__cause__ or cause.__context__
        assert nxt is not None
        cause = nxt
    text = str(cause)
    # urllib3 messages repeat the URL; keep only the part after the last colon-space.
    if "://" in text or "host=" in text:
        text = text.rsplit(": ", 1)[-1]
    return f"{type(cause).__name__}: {text}"[:300]
