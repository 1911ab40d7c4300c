"""Waiting for a batch's webhook delivery, and saying how it went."""

from __future__ import annotations

import sys
import time
from typing import Any

from pictify_raster.cli.output import count_of, note, out

#: Seconds beyond the longest retry schedule before `render` stops waiting anyway.
WEBHOOK_MARGIN = 5.0


def await_delivery(client: Any, batch_id: str, delivery_id: str | None = None) -> Any:
    """The batch's latest (or the given) delivery once delivered or failed.

    When this command exits nobody is left to retry, so it waits through the whole
    retry schedule (a receiver that never answers then ends the delivery ``failed``),
    saying on stderr what it waits for. Ctrl-C stops the wait; the delivery stays
    pending and is retried when a client next opens the home.
    """
    settings = client.webhook_settings
    deadline = time.monotonic() + settings.longest_schedule() + WEBHOOK_MARGIN
    said = 0
    delivery = None
    try:
        while True:
            delivery = _delivery(client, batch_id, delivery_id)
            if delivery is None:
                return None
            said = _say_attempts(delivery, said, settings.retries + 1)
            if delivery.status != "pending" or time.monotonic() >= deadline:
                return delivery
            time.sleep(0.2)
    except KeyboardInterrupt:
        note("stopped waiting for the webhook")
        return delivery


def _delivery(client: Any, batch_id: str, delivery_id: str | None) -> Any:
    deliveries = client.batches.deliveries(batch_id)
    if delivery_id is not None:
        deliveries = [d for d in deliveries if d.id == delivery_id]
    return deliveries[-1] if deliveries else None


def _say_attempts(delivery: Any, said: int, allowed: int) -> int:
    """Note each failed attempt of a delivery that will be tried again; return how many."""
    if delivery.status != "pending":
        return len(delivery.attempts)
    for attempt in delivery.attempts[said:]:
        wait = ""
        if delivery.next_attempt_at is not None:
            seconds = max(0.0, delivery.next_attempt_at.timestamp() - time.time())
            wait = f"; trying again in {seconds:.0f} s"
        note(f"webhook attempt {attempt.number} of {allowed} failed "
              f"({attempt_answer(attempt)}){wait}")
    return len(delivery.attempts)


def attempt_answer(attempt: Any) -> str:
    if attempt.error:
        return str(attempt.error)
    return f"HTTP {attempt.status_code}" if attempt.status_code is not None else "no answer"


def describe_delivery(delivery: Any) -> str:
    attempts = delivery.attempts
    last = attempts[-1].to_json() if attempts else {}
    answer = last.get("statusCode") or last.get("error") or "no answer yet"
    tries = count_of(len(attempts), "attempt")
    again = f"'pictify-raster batches redeliver {delivery.batch_id}'"
    if delivery.status == "pending":
        return (
            f"not delivered yet after {tries} (last: {answer}); it stays "
            f"pending and is retried when a client next opens this home, or run {again}"
        )
    if delivery.status == "failed":
        return (f"failed after {tries} (last: {answer}); "
                f"to send it again run {again}")
    return f"{delivery.status} after {tries} (last: {answer})"


def report_webhook(client: Any, batch: Any) -> None:
    """The webhook outcome of a batch this command ran, after waiting for it."""
    if not batch.webhook_url:
        return
    sys.stdout.flush()
    delivery = await_delivery(client, batch.id)
    if delivery is not None:
        out(f"  webhook: {describe_delivery(delivery)}")
