"""``pictify-raster batches``: the batches in a store, and what can be done with them."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pictify_raster.cli.options import client_options, make_client, webhook_options
from pictify_raster.cli.output import (
    EXIT_FAILED_ITEMS,
    EXIT_OK,
    batch_json,
    count_of,
    delivery_json,
    out,
    shown_url,
    when,
)
from pictify_raster.cli.webhooks import (
    attempt_answer,
    await_delivery,
    describe_delivery,
    report_webhook,
)


def register(commands: Any) -> None:
    """``batches``: list, inspect, retry, resume, cancel and redeliver."""
    batches = commands.add_parser("batches", help="list, inspect, retry, resume or cancel batches")
    actions = batches.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser("list", help="the batches in the store")
    listing.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="one batch: counts, rate, failures, webhook deliveries")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    results = actions.add_parser("results", help="the items of a batch")
    results.add_argument("id")
    results.add_argument("--status", choices=["pending", "completed", "failed", "cancelled"])
    results.add_argument("--offset", type=int, default=0)
    results.add_argument("--limit", type=int)
    results.add_argument("--json", action="store_true")
    retry = actions.add_parser("retry", help="a new batch of the failed items")
    retry.add_argument("id")
    actions.add_parser("resume", help="finish batches interrupted by a crash")
    cancel = actions.add_parser("cancel", help="stop a batch")
    cancel.add_argument("id")
    redeliver = actions.add_parser("redeliver", help="send a batch's webhook again")
    redeliver.add_argument("id")

    for action in (listing, show, results, retry, actions.choices["resume"], cancel, redeliver):
        client_options(action)
    for action in (retry, actions.choices["resume"], cancel, redeliver):
        webhook_options(action)
    batches.set_defaults(run=_batches)


_READ_ONLY_ACTIONS = frozenset({"list", "show", "results"})


def _batches(args: argparse.Namespace) -> int:
    from pictify_raster.batch.store import StoreNotFoundError, store_exists

    read_only = args.action in _READ_ONLY_ACTIONS
    if not read_only and not store_exists(args.home.resolve()):
        # A mistyped --home must not become a new, empty home.
        msg = f"no store at {args.home.resolve()}; check --home"
        raise StoreNotFoundError(msg)
    with make_client(args, read_only=read_only) as client:
        return int(_BATCH_ACTIONS[args.action](client, args))


def _batches_list(client: Any, args: argparse.Namespace) -> int:
    batches = client.batches.list()
    if args.json:
        out(json.dumps([batch_json(batch) for batch in batches], indent=2))
        return EXIT_OK
    if not batches:
        out(f"no batches in {client.home}")
    for batch in batches:
        out(
            f"{batch.id}  {batch.status:<10}  {batch.template_uid:<24}  "
            f"{batch.completed_count}/{batch.total_count} completed, {batch.failed_count} failed  "
            f"{when(batch.created_at)}"
        )
    return EXIT_OK


def _batches_show(client: Any, args: argparse.Namespace) -> int:
    batch = client.batches.get(args.id)
    stats = client.batches.stats(args.id)
    warnings = client.batches.warnings(args.id)
    deliveries = client.batches.deliveries(args.id)
    if args.json:
        payload = {
            **batch_json(batch),
            "stats": {
                **stats.to_json(),
                "batch": batch_json(stats.batch),
                "deliveries": [delivery_json(d) for d in stats.deliveries],
            },
            "warnings": {entry.code: entry.to_json() for entry in warnings},
            "webhookDeliveries": [delivery_json(delivery) for delivery in deliveries],
        }
        out(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    for label, value in _batch_lines(batch, stats, warnings):
        out(f"  {label + ':':<11} {value}" if label else value)
    for delivery in deliveries:
        _delivery_lines(delivery)
    return EXIT_OK


def _batch_lines(batch: Any, stats: Any, warnings: list[Any]) -> list[tuple[str, str]]:
    """What `batches show` says of a batch, one (label, text) a line; '-' for nothing."""
    counts = stats.counts
    ended = f"{when(batch.completed_at)}"
    if batch.duration_ms is not None:
        ended += f" ({batch.duration_ms / 1000:.1f} s)"
    fmt = batch.format if batch.format == "png" else f"{batch.format}, quality {batch.quality}"
    lines = [
        ("", f"Batch {batch.id}: {batch.status}"),
        ("template", batch.template_uid),
        ("created", when(batch.created_at)),
        ("started", when(batch.started_at)),
        ("ended", ended if batch.completed_at else "-"),
        ("items", f"{batch.total_count}: {counts['completed']} completed, {counts['failed']} "
                  f"failed, {counts['cancelled']} cancelled, {counts['pending']} pending"),
        ("rate", "-" if stats.rate_per_s is None else f"{stats.rate_per_s:.1f} items per second"),
    ]
    if not batch.status.ended and stats.eta_s is not None:
        lines.append(("time left", f"{stats.eta_s:.0f} s"))
    failures = ", ".join(f"{code}: {n}" for code, n in stats.failures_by_code.items())
    warned = ", ".join(f"{e.code}: {count_of(e.count, 'item')}" for e in warnings)
    lines += [
        ("failures", failures or "-"),
        ("warnings", warned or "-"),
        ("format", fmt),
        ("output", batch.output_dir or "-"),
        ("parent", batch.parent_id or "-"),
        ("error", batch.error or "-"),
        ("webhook", shown_url(batch.webhook_url) if batch.webhook_url else "-"),
    ]
    return lines


def _delivery_lines(delivery: Any) -> None:
    """A webhook delivery, then each attempt on its own line."""
    state = f"{delivery.status}, {count_of(len(delivery.attempts), 'attempt')}"
    if delivery.next_attempt_at is not None:
        state += f", next attempt {when(delivery.next_attempt_at)}"
    out(f"  delivery {delivery.id} ({delivery.event}): {state}")
    for attempt in delivery.attempts:
        out(f"    attempt {attempt.number}  {when(attempt.at)}  {attempt_answer(attempt)}  "
             f"({attempt.duration_ms} ms)")


def _batches_results(client: Any, args: argparse.Namespace) -> int:
    page = client.templates.get_batch_results(
        args.id, status=args.status, offset=args.offset, limit=args.limit
    )
    if args.json:
        payload = {**page.to_json(), "batch": batch_json(page.batch)}
        out(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not page.results:
        out(f"no {args.status + ' ' if args.status else ''}items")
    for item in page.results:
        out(f"{item.index:>6}  {item.status:<10}  {_item_detail(item)}")
    return EXIT_OK


def _item_detail(item: Any) -> str:
    """Where a completed item's image is (and its warnings), why a failed one failed, or -."""
    if item.error is not None:
        return f"{item.error.code}: {item.error.message}"
    if item.path is None:
        return "-"
    codes = sorted({warning.code for warning in item.warnings})
    return item.path + (f"  (warnings: {', '.join(codes)})" if codes else "")


def _batches_retry(client: Any, args: argparse.Namespace) -> int:
    if client.batches.get(args.id).failed_count == 0:
        out(f"{args.id} has no failed items; nothing to retry")
        return EXIT_OK
    retry = client.batches.retry_failed(args.id)
    out(f"retrying {retry.total_count} failed items as {retry.id}")
    batch = client.batches.wait(retry.id, progress=True)
    out(f"{batch.id}: {batch.completed_count} completed, {batch.failed_count} failed")
    report_webhook(client, batch)
    return EXIT_OK if batch.failed_count == 0 else EXIT_FAILED_ITEMS


def _batches_resume(client: Any, args: argparse.Namespace) -> int:
    resumed = client.batches.resume()
    if not resumed:
        held = client.batches.list(status="processing") + client.batches.list(status="pending")
        for batch in held:
            # resume() leaves alone only batches whose client is alive: say so.
            out(f"{batch.id}: {batch.status}, {batch.completed_count + batch.failed_count}/"
                 f"{batch.total_count} done; held by another running client, which finishes it")
        if not held:
            out("no unfinished batches")
        return EXIT_OK
    status = EXIT_OK
    for batch_id in resumed:
        batch = client.batches.wait(batch_id, progress=True)
        counts = f"{batch.completed_count} completed, {batch.failed_count} failed"
        out(f"{batch.id}: {batch.status}, {counts}")
        report_webhook(client, batch)
        status = max(status, EXIT_FAILED_ITEMS if batch.failed_count else EXIT_OK)
    return status


def _batches_cancel(client: Any, args: argparse.Namespace) -> int:
    batch = client.batches.cancel(args.id)
    if batch.status.ended:
        out(f"{batch.id}: {batch.status}")
    else:
        # Another client runs it: it sees the request within a second and stops.
        out(f"{batch.id}: cancel requested; the client running it stops it shortly")
    return EXIT_OK


def _batches_redeliver(client: Any, args: argparse.Namespace) -> int:
    delivery = client.batches.redeliver(args.id)
    delivery = await_delivery(client, args.id, delivery.id)
    out(f"webhook for {args.id}: delivery {delivery.id} {describe_delivery(delivery)}")
    return EXIT_OK if delivery.status == "delivered" else EXIT_FAILED_ITEMS


_BATCH_ACTIONS = {
    "list": _batches_list,
    "show": _batches_show,
    "results": _batches_results,
    "retry": _batches_retry,
    "resume": _batches_resume,
    "cancel": _batches_cancel,
    "redeliver": _batches_redeliver,
}
