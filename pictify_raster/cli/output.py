"""What the command line prints: exit codes, lines for people, JSON for programs."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

EXIT_OK, EXIT_FAILED_ITEMS, EXIT_ERROR = 0, 1, 2


def print_error(message: str) -> None:
    sys.stderr.write(f"pictify-raster: error: {message}\n")


def note(message: str) -> None:
    """A line for the person at the terminal while work goes on (stderr, beside the bar)."""
    sys.stderr.write(f"pictify-raster: {message}\n")
    sys.stderr.flush()


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def count_of(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def when(moment: datetime | None) -> str:
    """A moment as people read it, in UTC to the second; '-' when there is none."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def shown_url(url: str) -> str:
    from pictify_raster.batch.webhooks import display_url

    return display_url(url)


def batch_json(batch: Any) -> dict[str, Any]:
    """A batch as JSON, its webhook URL without credentials or tokens (DESIGN section 11)."""
    payload = dict(batch.to_json())
    if payload.get("webhookUrl"):
        payload["webhookUrl"] = shown_url(payload["webhookUrl"])
    return payload


def delivery_json(delivery: Any) -> dict[str, Any]:
    payload = dict(delivery.to_json())
    payload["url"] = shown_url(payload["url"])
    return payload
