"""The ``pictify-raster`` command line (DESIGN section 7).

Exit status: 0 when every item completed, 1 when some failed, 2 when the
command could not run (a missing file, a bad layout, bad data).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pictify_raster.errors import ItemError, LayoutError, PictifyError, UnreadableRow

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED_ITEMS, EXIT_ERROR = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.run(args))
    except (PictifyError, OSError, ValueError, ImportError) as error:
        _error(str(error))
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`pictify-raster fonts | head`): nothing left to say.
        # Point stdout at /dev/null so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        _error("interrupted; unfinished batches resume with 'pictify-raster batches resume'")
        return 130


def _error(message: str) -> None:
    sys.stderr.write(f"pictify-raster: error: {message}\n")


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


# -- arguments ---------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pictify-raster",
        description="Render images from YAML layouts in bulk, without a browser.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what happens, for debugging"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    render = commands.add_parser("render", help="render a batch: one image per row of data")
    render.add_argument("layout", type=Path)
    render.add_argument(
        "--data", required=True, help="CSV, JSON array or JSON Lines file, or - for stdin"
    )
    render.add_argument(
        "--out", type=Path, help="folder for the images (default: HOME/outputs/<batch id>)"
    )
    render.add_argument("--format", choices=["png", "jpeg", "webp", "avif"])
    render.add_argument("--quality", type=_quality, help="JPEG, WebP and AVIF quality, 1-100")
    render.add_argument("--webhook", help="URL to POST to when the batch ends")
    render.add_argument("--webhook-secret", help="sign the webhook with HMAC-SHA256")
    render.add_argument("--contact-sheet", type=Path, help="also write a grid of thumbnails here")
    render.add_argument("--json", action="store_true", help="print the batch summary as JSON")
    render.add_argument("--no-progress", action="store_true", help="no progress bar")
    _client_options(render)
    render.set_defaults(run=_render)

    preview = commands.add_parser("preview", help="render one image, for design work")
    preview.add_argument("layout", type=Path)
    preview.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    preview.add_argument("--data", help="take the variables from a row of this file")
    preview.add_argument("--row", type=int, default=0, help="which row of --data (0-based)")
    preview.add_argument("-o", "--output", type=Path, default=Path("preview.png"))
    preview.set_defaults(run=_preview)

    validate = commands.add_parser("validate", help="load and check layouts")
    validate.add_argument("layouts", type=Path, nargs="+")
    validate.set_defaults(run=_validate)

    evaluate = commands.add_parser("eval", help="evaluate one expression")
    evaluate.add_argument("expression")
    evaluate.add_argument("--var", action="append", default=[], metavar="NAME=VALUE")
    evaluate.add_argument("--locale")
    evaluate.set_defaults(run=_eval)

    fonts = commands.add_parser("fonts", help="the fonts it can use and the scripts they cover")
    fonts.set_defaults(run=_fonts)

    _batches_parser(commands)
    return parser


def _client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", type=Path, default=Path("pictify-data"), help="store folder")
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    parser.add_argument(
        "--item-timeout", type=_seconds, default=30.0, help="seconds per item (default 30)"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on a Dask cluster (tcp://host:8786); needs the dask extra",
    )
    parser.add_argument(
        "--image-timeout",
        type=_seconds,
        help="seconds to fetch one image, connect to last byte (default 10)",
    )
    parser.add_argument(
        "--allow-root",
        action="append",
        default=[],
        type=Path,
        help="a folder local images may come from (repeatable)",
    )
    parser.add_argument(
        "--allow-private-networks",
        action="store_true",
        help="allow image URLs on loopback and private addresses",
    )


def _batches_parser(commands: Any) -> None:
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
        _client_options(action)
    batches.set_defaults(run=_batches)


def _quality(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        msg = f"quality is a whole number from 1 to 100, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        msg = f"expected a number of seconds above 0, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _parse_vars(pairs: list[str], *, typed: bool = True) -> dict[str, Any]:
    """NAME=VALUE pairs.

    For ``eval`` (``typed``) a value that reads as JSON keeps its type (42,
    true, null, [1, 2]). For ``preview`` every value is text, exactly as a
    cell of a CSV file, so that a preview draws what the batch will draw; the
    layout's declared variable types convert it.
    """
    variables: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            message = f"--var takes NAME=VALUE, got {pair!r}"
            raise PictifyError(message)
        if not typed:
            variables[name] = value
            continue
        try:
            variables[name] = json.loads(value)
        except ValueError:
            variables[name] = value
    return variables


def _client(args: argparse.Namespace, *, resume: bool = True) -> Any:
    """The client for a command; read-only commands do not take over orphaned batches."""
    from pictify_raster.batch import Pictify
    from pictify_raster.fetch import FetchSettings

    fetch = FetchSettings(total_timeout=args.image_timeout) if args.image_timeout else None
    executor = None
    if args.scheduler:
        from pictify_raster.batch import DaskExecutor

        executor = DaskExecutor(args.scheduler)
    return Pictify(
        home=args.home,
        workers=args.workers,
        item_timeout=args.item_timeout,
        allowed_roots=list(args.allow_root),
        allow_private_networks=args.allow_private_networks,
        resume=resume,
        fetch_settings=fetch,
        executor=executor,
    )


# -- render ------------------------------------------------------------


def _render(args: argparse.Namespace) -> int:
    from pictify_raster.layout import load_layout
    from pictify_raster.rows import read_rows

    layout = load_layout(args.layout)
    rows = read_rows(args.data)
    started = time.perf_counter()
    with _client(args) as client:
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
        delivery = _webhook_outcome(client, batch.id) if args.webhook else None
        if args.contact_sheet:
            _contact_sheet(client, batch, layout.size, args.contact_sheet)
        if args.json:
            summary = {**batch.to_json(), "failures": failures}
            _out(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            _summary(batch, failures, elapsed, client, args)
            if delivery is not None:
                _out(f"  webhook: {_describe_delivery(delivery)}")
    return EXIT_OK if batch.failed_count == 0 and batch.status == "completed" else EXIT_FAILED_ITEMS


#: How long `render` waits for the webhook before reporting it still pending.
WEBHOOK_WAIT = 15.0


def _webhook_outcome(client: Any, batch_id: str) -> Any:
    """The batch's webhook delivery once it succeeded or failed, or as it is after a wait."""
    deadline = time.monotonic() + WEBHOOK_WAIT
    while True:
        deliveries = client.batches.deliveries(batch_id)
        if not deliveries:
            return None
        latest = deliveries[-1]
        if latest.status != "pending" or time.monotonic() >= deadline:
            return latest
        time.sleep(0.2)


def _describe_delivery(delivery: Any) -> str:
    attempts = delivery.attempts
    last = attempts[-1].to_json() if attempts else {}
    answer = last.get("statusCode") or last.get("error") or "no answer yet"
    if delivery.status == "pending":
        return (
            f"not delivered yet after {len(attempts)} attempts (last: {answer}); "
            "it is retried the next time a client opens this home"
        )
    return f"{delivery.status} after {len(attempts)} attempts (last: {answer})"


def _failures_by_code(client: Any, batch_id: str) -> dict[str, dict[str, Any]]:
    """Each failure code with its count and its first item, read as a stream."""
    failures: dict[str, dict[str, Any]] = {}
    for item in client.templates.iter_batch_results(batch_id, status="failed"):
        entry = failures.setdefault(item.error.code, {"count": 0, "example": item.to_json()})
        entry["count"] += 1
    return failures


def _summary(
    batch: Any,
    failures: dict[str, dict[str, Any]],
    elapsed: float,
    client: Any,
    args: argparse.Namespace,
) -> None:
    rate = batch.total_count / elapsed if elapsed > 0 else 0.0
    _out(f"Batch {batch.id} ({batch.template_uid}): {batch.status}")
    _out(f"  {batch.total_count} rows in {elapsed:.1f} s: {rate:.1f} images per second")
    _out(f"  completed: {batch.completed_count}")
    _out(f"  failed:    {batch.failed_count}")
    for code, entry in sorted(failures.items(), key=lambda pair: -pair[1]["count"]):
        example = entry["example"]
        _out(
            f"    {code}: {entry['count']} (e.g. item {example['index']}: "
            f"{example['error']['message']})"
        )
    folder = args.out.resolve() if args.out else client.home / "outputs" / batch.id
    _out(f"  images: {folder}")
    if args.contact_sheet:
        _out(f"  contact sheet: {args.contact_sheet.resolve()}")


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


# -- preview, validate, eval, fonts -------------------------------------


def _preview(args: argparse.Namespace) -> int:
    from pictify_raster.api import render_bytes
    from pictify_raster.layout import load_layout
    from pictify_raster.rows import read_rows

    layout = load_layout(args.layout)
    variables: dict[str, Any] = {}
    if args.data:
        for index, row in enumerate(read_rows(args.data)):
            if index == args.row:
                if isinstance(row, UnreadableRow):
                    raise PictifyError(row.reason)
                variables = dict(row)
                break
        else:
            msg = f"{args.data} has no row {args.row}"
            raise PictifyError(msg)
    variables.update(_parse_vars(args.var, typed=False))

    suffix = args.output.suffix.lower().lstrip(".")
    image_format = (
        {"jpg": "jpeg"}.get(suffix, suffix)
        if suffix in {"png", "jpg", "jpeg", "webp", "avif"}
        else None
    )
    try:
        data = render_bytes(layout, variables, format=image_format)
    except ItemError as error:
        _error(f"{error.code}: {error.message}")
        return EXIT_FAILED_ITEMS
    args.output.write_bytes(data)
    _out(f"wrote {args.output} ({len(data):,} bytes)")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from pictify_raster.draw import Renderer
    from pictify_raster.layout import load_layout

    status = EXIT_OK
    for path in args.layouts:
        try:
            layout = load_layout(path)
            Renderer(layout)  # also checks fonts
        except LayoutError as error:
            _out(f"{path}: invalid\n  {error}")
            status = EXIT_ERROR
            continue
        names = ", ".join(sorted(layout.variables) or sorted(layout.names)) or "none"
        _out(
            f"{path}: ok ({layout.uid}, {layout.size[0]}x{layout.size[1]}, "
            f"{len(layout.layers)} layers; variables: {names})"
        )
    return status


def _eval(args: argparse.Namespace) -> int:
    from pictify_raster.expr import evaluate

    try:
        value = evaluate(args.expression, _parse_vars(args.var), locale=args.locale)
    except ItemError as error:
        _error(f"{error.code}: {error.message}")
        caret = getattr(error, "caret_lines", lambda: "")()
        if caret:
            sys.stderr.write(caret + "\n")
        return EXIT_FAILED_ITEMS
    _out(json.dumps(value, ensure_ascii=False, default=str))
    return EXIT_OK


def _fonts(args: argparse.Namespace) -> int:
    from pictify_raster.text import default_registry, describe_fonts, shaping_available

    for row in describe_fonts(default_registry()):
        _out(_font_line(row))
    if not shaping_available():
        _out(
            "\nText shaping (libraqm) is NOT available: Arabic, Indic and right-to-left text "
            "render with a TEXT_SHAPING_UNAVAILABLE warning."
        )
    _out(
        "\nTo add a font, list its file under 'fonts:' in a layout (relative to the layout), "
        "or install it in the system's font folders."
    )
    return EXIT_OK


def _font_line(row: Any) -> str:
    if isinstance(row, dict):
        return "  ".join(str(value) for value in row.values())
    if isinstance(row, (tuple, list)):
        return "  ".join(str(value) for value in row)
    return str(row)


# -- batches -----------------------------------------------------------


_READ_ONLY_ACTIONS = frozenset({"list", "show", "results"})


def _batches(args: argparse.Namespace) -> int:
    with _client(args, resume=args.action not in _READ_ONLY_ACTIONS) as client:
        return int(_BATCH_ACTIONS[args.action](client, args))


def _batches_list(client: Any, args: argparse.Namespace) -> int:
    batches = client.batches.list()
    if args.json:
        _out(json.dumps([batch.to_json() for batch in batches], indent=2))
        return EXIT_OK
    for batch in batches:
        _out(
            f"{batch.id}  {batch.status:<10}  {batch.template_uid:<24}  "
            f"{batch.completed_count}/{batch.total_count} completed, {batch.failed_count} failed  "
            f"{batch.created_at}"
        )
    return EXIT_OK


def _batches_show(client: Any, args: argparse.Namespace) -> int:
    batch = client.batches.get(args.id)
    stats = client.batches.stats(args.id)
    deliveries = client.batches.deliveries(args.id)
    if args.json:
        payload = {
            **batch.to_json(),
            "stats": stats.to_json(),
            "webhookDeliveries": [delivery.to_json() for delivery in deliveries],
        }
        _out(json.dumps(payload, indent=2))
        return EXIT_OK
    for key, value in batch.to_json().items():
        _out(f"{key:>15}: {value}")
    for key, value in stats.to_json().items():
        _out(f"{key:>15}: {value}")
    for delivery in deliveries:
        _out(f"webhook {delivery.id}: {delivery.status}")
        for attempt in delivery.attempts:
            _out(f"    {attempt.to_json()}")
    return EXIT_OK


def _batches_results(client: Any, args: argparse.Namespace) -> int:
    page = client.templates.get_batch_results(
        args.id, status=args.status, offset=args.offset, limit=args.limit
    )
    if args.json:
        _out(json.dumps(page.to_json(), indent=2, ensure_ascii=False))
        return EXIT_OK
    for item in page.results:
        detail = item.path if item.error is None else f"{item.error.code}: {item.error.message}"
        _out(f"{item.index:>6}  {item.status:<10}  {detail}")
    return EXIT_OK


def _batches_retry(client: Any, args: argparse.Namespace) -> int:
    if client.batches.get(args.id).failed_count == 0:
        _out(f"{args.id} has no failed items; nothing to retry")
        return EXIT_OK
    retry = client.batches.retry_failed(args.id)
    _out(f"retrying {retry.total_count} failed items as {retry.id}")
    batch = client.batches.wait(retry.id, progress=True)
    _out(f"{batch.id}: {batch.completed_count} completed, {batch.failed_count} failed")
    return EXIT_OK if batch.failed_count == 0 else EXIT_FAILED_ITEMS


def _batches_resume(client: Any, args: argparse.Namespace) -> int:
    resumed = client.batches.resume()
    if not resumed:
        _out("no unfinished batches")
        return EXIT_OK
    status = EXIT_OK
    for batch_id in resumed:
        batch = client.batches.wait(batch_id, progress=True)
        counts = f"{batch.completed_count} completed, {batch.failed_count} failed"
        _out(f"{batch.id}: {batch.status}, {counts}")
        status = max(status, EXIT_FAILED_ITEMS if batch.failed_count else EXIT_OK)
    return status


def _batches_cancel(client: Any, args: argparse.Namespace) -> int:
    batch = client.batches.cancel(args.id)
    _out(f"{batch.id}: {batch.status}")
    return EXIT_OK


def _batches_redeliver(client: Any, args: argparse.Namespace) -> int:
    delivery = client.batches.redeliver(args.id, wait=60)
    _out(f"webhook for {args.id}: delivery {delivery.id} {delivery.status}")
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
