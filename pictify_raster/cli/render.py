"""``pictify-raster render``: a batch from a data file, its summary and contact sheet."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from pictify_raster.cli.options import client_options, make_client, quality, webhook_options
from pictify_raster.cli.output import (
    EXIT_FAILED_ITEMS,
    EXIT_OK,
    batch_json,
    count_of,
    delivery_json,
    out,
)
from pictify_raster.cli.webhooks import await_delivery, report_webhook
from pictify_raster.errors import PictifyError


def register(commands: Any) -> None:
    """``render``: a batch, one image per row of data."""
    render = commands.add_parser("render", help="render a batch: one image per row of data")
    render.add_argument("layout", type=Path)
    render.add_argument(
        "--data", required=True, help="CSV, JSON array or JSON Lines file, or - for stdin"
    )
    render.add_argument(
        "--out", type=Path, help="folder for the images (default: HOME/outputs/<batch id>)"
    )
    render.add_argument("--format", choices=["png", "jpeg", "webp", "avif"])
    render.add_argument("--quality", type=quality, help="JPEG, WebP and AVIF quality, 1-100")
    render.add_argument("--webhook", help="URL to POST to when the batch ends")
    render.add_argument("--webhook-secret", help="sign the webhook with HMAC-SHA256")
    webhook_options(render)
    render.add_argument("--contact-sheet", type=Path, help="also write a grid of thumbnails here")
    render.add_argument("--json", action="store_true", help="print the batch summary as JSON")
    render.add_argument("--no-progress", action="store_true", help="no progress bar")
    client_options(render)
    render.set_defaults(run=_render)


def _render(args: argparse.Namespace) -> int:
    from pictify_raster.contact_sheet import sheet_format
    from pictify_raster.layout import load_layout
    from pictify_raster.rows import read_rows

    if args.contact_sheet:
        sheet_format(args.contact_sheet)  # a wrong ending is refused before any rendering
    if args.webhook_secret and not args.webhook:
        msg = "--webhook-secret signs a webhook: give the URL with --webhook too"
        raise PictifyError(msg)
    layout = load_layout(args.layout)
    rows = read_rows(args.data)
    started = time.perf_counter()
    with make_client(args) as client:
        uid = client.templates.register(args.layout)
        batch = client.templates.batch_render(
            uid,
            variable_sets=rows,
            format=args.format,
            quality=args.quality,
            webhook_url=args.webhook,
            webhook_secret=args.webhook_secret,
            output_dir=args.out,
        )
        batch = client.batches.wait(batch.id, progress=not args.no_progress)
        elapsed = time.perf_counter() - started
        failures = _failures_by_code(client, batch.id)
        warnings = client.batches.warnings(batch.id)
        if args.contact_sheet:
            _contact_sheet(client, batch, layout.size, args.contact_sheet)
        if args.json:
            delivery = await_delivery(client, batch.id) if args.webhook else None
            summary = {
                **batch_json(batch),
                "failures": failures,
                "warnings": {entry.code: entry.to_json() for entry in warnings},
                "webhookDelivery": delivery_json(delivery) if delivery else None,
            }
            out(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            _summary(batch, elapsed, client, args, failures=failures, warnings=warnings)
            report_webhook(client, batch)  # the summary first, then the wait
    return EXIT_OK if batch.failed_count == 0 and batch.status == "completed" else EXIT_FAILED_ITEMS


def _failures_by_code(client: Any, batch_id: str) -> dict[str, dict[str, Any]]:
    """Each failure code with its count and its first item, read as a stream."""
    failures: dict[str, dict[str, Any]] = {}
    for item in client.templates.iter_batch_results(batch_id, status="failed"):
        entry = failures.setdefault(item.error.code, {"count": 0, "example": item.to_json()})
        entry["count"] += 1
    return failures


def _summary(
    batch: Any,
    elapsed: float,
    client: Any,
    args: argparse.Namespace,
    *,
    failures: dict[str, dict[str, Any]],
    warnings: list[Any],
) -> None:
    # Over the images made, not the rows given: a cancelled batch made far fewer.
    rate = batch.completed_count / elapsed if elapsed > 0 else 0.0
    out(f"Batch {batch.id} ({batch.template_uid}): {batch.status}")
    images = count_of(batch.completed_count, "image")
    out(f"  {batch.total_count} rows in {elapsed:.1f} s: {images}, {rate:.1f} images per second")
    out(f"  completed: {batch.completed_count}")
    out(f"  failed:    {batch.failed_count}")
    for code, entry in sorted(failures.items(), key=lambda pair: -pair[1]["count"]):
        example = entry["example"]
        out(
            f"    {code}: {entry['count']} (e.g. item {example['index']}: "
            f"{example['error']['message']})"
        )
    out(f"  cancelled: {batch.cancelled_count}")
    if batch.pending_count:
        out(f"  pending:   {batch.pending_count}")
    _warnings_summary(warnings)
    folder = args.out.resolve() if args.out else client.home / "outputs" / batch.id
    out(f"  images: {folder}")
    if args.contact_sheet:
        out(f"  contact sheet: {args.contact_sheet.resolve()}")


def _warnings_summary(warnings: list[Any]) -> None:
    """Completed items that needed a substitute: counts by code, with a few examples."""
    if not warnings:
        return
    out("  warnings:")
    for entry in warnings:
        out(f"    {entry.code}: {count_of(entry.count, 'item')}")
        for index, message in entry.examples:
            out(f"      e.g. item {index}: {message}")


def _contact_sheet(client: Any, batch: Any, size: tuple[int, int], destination: Path) -> None:
    from pictify_raster.contact_sheet import SheetEntry, write_contact_sheet

    entries = (
        SheetEntry(
            index=item.index,
            path=Path(item.path) if item.path else None,
            error_code=item.error.code if item.error else None,
        )
        for item in client.templates.iter_batch_results(batch.id)
    )
    write_contact_sheet(entries, destination, aspect=size[1] / size[0])
