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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pictify_raster.errors import ItemError, LayoutError, PictifyError, UnreadableRow

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED_ITEMS, EXIT_ERROR = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _configure_logging(verbose=args.verbose)
    try:
        status = int(args.run(args))
        # Flushed here, inside the try: a reader that went away is noticed now,
        # not in the flush at exit, where Python would print its own complaint.
        sys.stdout.flush()
    except BrokenPipeError:
        # Before OSError, which it is: `pictify-raster fonts | head` has nothing to say.
        # Point stdout at /dev/null so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except (PictifyError, OSError, ValueError, ImportError) as error:
        _error(_describe_error(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted; unfinished batches resume with 'pictify-raster batches resume'")
        return 130
    return status


def _configure_logging(*, verbose: bool) -> None:
    """Log to stderr; every line, ours or a library's, with URL credentials and tokens masked.

    With -v urllib3 logs each request line, the query string included
    (``POST /hooks?token=…``); the filter on the handler rewrites such lines.
    """
    from pictify_raster.fetch.urls import RedactingFilter, install_log_redaction

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    install_log_redaction()


def _describe_error(error: BaseException) -> str:
    """One line a person can act on: an OSError as ``PATH: reason``, never ``[Errno 2] …``."""
    from pictify_raster.fetch.urls import redact_text

    if isinstance(error, OSError) and error.strerror and not isinstance(error, PictifyError):
        reason = error.strerror[:1].lower() + error.strerror[1:]
        text = reason if error.filename is None else f"{error.filename}: {reason}"
    else:
        text = str(error)
    return redact_text(text)


def _error(message: str) -> None:
    sys.stderr.write(f"pictify-raster: error: {message}\n")


def _note(message: str) -> None:
    """A line for the person at the terminal while work goes on (stderr, beside the bar)."""
    sys.stderr.write(f"pictify-raster: {message}\n")
    sys.stderr.flush()


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
    _webhook_options(render)
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
    for action in (retry, actions.choices["resume"], cancel, redeliver):
        _webhook_options(action)
    batches.set_defaults(run=_batches)


def _webhook_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook-retries",
        type=_count,
        default=5,
        metavar="N",
        help="retries of a webhook the receiver did not accept, 1, 2, 4... s apart (default 5)",
    )


def _quality(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        msg = f"quality is a whole number from 1 to 100, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"expected a whole number, 0 or more, got {text}"
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


def _client(args: argparse.Namespace, *, read_only: bool = False) -> Any:
    """The client for a command.

    A read-only client (list, show, results) needs an existing store and starts nothing:
    it neither takes over orphaned batches nor sends their due webhooks.
    """
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
        read_only=read_only,
        webhook_retries=getattr(args, "webhook_retries", 5),
        fetch_settings=fetch,
        executor=executor,
    )


# -- render ------------------------------------------------------------


def _render(args: argparse.Namespace) -> int:
    from pictify_raster.contact_sheet import sheet_format
    from pictify_raster.layout import load_layout
    from pictify_raster.rows import read_rows

    if args.contact_sheet:
        sheet_format(args.contact_sheet)  # a wrong ending is refused before any rendering
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
        warnings = client.batches.warnings(batch.id)
        if args.contact_sheet:
            _contact_sheet(client, batch, layout.size, args.contact_sheet)
        if args.json:
            delivery = _await_delivery(client, batch.id) if args.webhook else None
            summary = {
                **_batch_json(batch),
                "failures": failures,
                "warnings": {entry.code: entry.to_json() for entry in warnings},
                "webhookDelivery": _delivery_json(delivery) if delivery else None,
            }
            _out(json.dumps(summary, indent=2, ensure_ascii=False))
        else:
            _summary(batch, elapsed, client, args, failures=failures, warnings=warnings)
            _report_webhook(client, batch)  # the summary first, then the wait
    return EXIT_OK if batch.failed_count == 0 and batch.status == "completed" else EXIT_FAILED_ITEMS


#: Seconds beyond the longest retry schedule before `render` stops waiting anyway.
WEBHOOK_MARGIN = 5.0


def _await_delivery(client: Any, batch_id: str, delivery_id: str | None = None) -> Any:
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
        _note("stopped waiting for the webhook")
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
        _note(f"webhook attempt {attempt.number} of {allowed} failed "
              f"({_attempt_answer(attempt)}){wait}")
    return len(delivery.attempts)


def _attempt_answer(attempt: Any) -> str:
    if attempt.error:
        return str(attempt.error)
    return f"HTTP {attempt.status_code}" if attempt.status_code is not None else "no answer"


def _describe_delivery(delivery: Any) -> str:
    attempts = delivery.attempts
    last = attempts[-1].to_json() if attempts else {}
    answer = last.get("statusCode") or last.get("error") or "no answer yet"
    again = f"'pictify-raster batches redeliver {delivery.batch_id}'"
    if delivery.status == "pending":
        return (
            f"not delivered yet after {len(attempts)} attempts (last: {answer}); it stays "
            f"pending and is retried when a client next opens this home, or run {again}"
        )
    if delivery.status == "failed":
        return (f"failed after {len(attempts)} attempts (last: {answer}); "
                f"to send it again run {again}")
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
    elapsed: float,
    client: Any,
    args: argparse.Namespace,
    *,
    failures: dict[str, dict[str, Any]],
    warnings: list[Any],
) -> None:
    # Over the images made, not the rows given: a cancelled batch made far fewer.
    rate = batch.completed_count / elapsed if elapsed > 0 else 0.0
    _out(f"Batch {batch.id} ({batch.template_uid}): {batch.status}")
    images = _count_of(batch.completed_count, "image")
    _out(f"  {batch.total_count} rows in {elapsed:.1f} s: {images}, {rate:.1f} images per second")
    _out(f"  completed: {batch.completed_count}")
    _out(f"  failed:    {batch.failed_count}")
    for code, entry in sorted(failures.items(), key=lambda pair: -pair[1]["count"]):
        example = entry["example"]
        _out(
            f"    {code}: {entry['count']} (e.g. item {example['index']}: "
            f"{example['error']['message']})"
        )
    _out(f"  cancelled: {batch.cancelled_count}")
    if batch.pending_count:
        _out(f"  pending:   {batch.pending_count}")
    _warnings_summary(warnings)
    folder = args.out.resolve() if args.out else client.home / "outputs" / batch.id
    _out(f"  images: {folder}")
    if args.contact_sheet:
        _out(f"  contact sheet: {args.contact_sheet.resolve()}")


def _warnings_summary(warnings: list[Any]) -> None:
    """Completed items that needed a substitute: counts by code, with a few examples."""
    if not warnings:
        return
    _out("  warnings:")
    for entry in warnings:
        _out(f"    {entry.code}: {_count_of(entry.count, 'item')}")
        for index, message in entry.examples:
            _out(f"      e.g. item {index}: {message}")


def _count_of(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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

#: What `preview -o` may end with, and the format each ending means.
PREVIEW_FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp",
                   ".avif": "avif"}


def _preview(args: argparse.Namespace) -> int:
    from pictify_raster.draw import Renderer
    from pictify_raster.layout import load_layout

    image_format = _preview_format(args.output)
    _check_writable_file(args.output)
    layout = load_layout(args.layout)
    variables = _preview_row(args) if args.data else {}
    variables.update(_parse_vars(args.var, typed=False))
    renderer = Renderer(layout)
    try:
        result = renderer.render(variables)
        data = renderer.encode(result.image, image_format, layout.output_quality)
    except ItemError as error:
        _error(f"{error.code}: {error.message}")
        return EXIT_FAILED_ITEMS
    for warning in result.warnings:
        sys.stderr.write(f"pictify-raster: warning: {warning.code}: {warning.message}\n")
    _write_file(args.output, data)
    _out(f"wrote {args.output} ({len(data):,} bytes)")
    return EXIT_OK


def _preview_format(output: Path) -> str:
    """The format the file name asks for: writing PNG bytes into x.jpg helps no one."""
    image_format = PREVIEW_FORMATS.get(output.suffix.lower())
    if image_format is None:
        ending = f"'{output.suffix}'" if output.suffix else "no ending"
        msg = (f"{output}: cannot tell the image format from {ending}; "
               f"end the name with {', '.join(PREVIEW_FORMATS)}")
        raise PictifyError(msg)
    return image_format


def _check_writable_file(path: Path) -> None:
    """Refuse, before rendering, a file whose folder is missing or that is itself a folder."""
    folder = path.parent
    if path.is_dir():
        msg = f"cannot write {path}: it is a folder"
        raise PictifyError(msg)
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        msg = f"cannot write {path}: the folder {folder} {what}"
        raise PictifyError(msg)


def _write_file(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        msg = f"cannot write {path}: {reason}"
        raise PictifyError(msg) from None


def _preview_row(args: argparse.Namespace) -> dict[str, Any]:
    """The variables of row ``--row`` of ``--data``."""
    from pictify_raster.errors import not_variables
    from pictify_raster.rows import read_rows

    for index, row in enumerate(read_rows(args.data)):
        if index != args.row:
            continue
        if isinstance(row, UnreadableRow):
            raise PictifyError(row.reason)
        if not isinstance(row, dict):
            msg = f"{args.data}: {not_variables(index, row)}"
            raise PictifyError(msg)
        return dict(row)
    msg = f"{args.data} has no row {args.row}"
    raise PictifyError(msg)


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
    from pictify_raster.batch.store import StoreNotFoundError, store_exists

    read_only = args.action in _READ_ONLY_ACTIONS
    if not read_only and not store_exists(args.home.resolve()):
        # A mistyped --home must not become a new, empty home.
        msg = f"no store at {args.home.resolve()}; check --home"
        raise StoreNotFoundError(msg)
    with _client(args, read_only=read_only) as client:
        return int(_BATCH_ACTIONS[args.action](client, args))


def _batches_list(client: Any, args: argparse.Namespace) -> int:
    batches = client.batches.list()
    if args.json:
        _out(json.dumps([_batch_json(batch) for batch in batches], indent=2))
        return EXIT_OK
    if not batches:
        _out(f"no batches in {client.home}")
    for batch in batches:
        _out(
            f"{batch.id}  {batch.status:<10}  {batch.template_uid:<24}  "
            f"{batch.completed_count}/{batch.total_count} completed, {batch.failed_count} failed  "
            f"{_when(batch.created_at)}"
        )
    return EXIT_OK


def _batches_show(client: Any, args: argparse.Namespace) -> int:
    batch = client.batches.get(args.id)
    stats = client.batches.stats(args.id)
    warnings = client.batches.warnings(args.id)
    deliveries = client.batches.deliveries(args.id)
    if args.json:
        payload = {
            **_batch_json(batch),
            "stats": {
                **stats.to_json(),
                "batch": _batch_json(stats.batch),
                "deliveries": [_delivery_json(d) for d in stats.deliveries],
            },
            "warnings": {entry.code: entry.to_json() for entry in warnings},
            "webhookDeliveries": [_delivery_json(delivery) for delivery in deliveries],
        }
        _out(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    for label, value in _batch_lines(batch, stats, warnings):
        _out(f"  {label + ':':<11} {value}" if label else value)
    for delivery in deliveries:
        _delivery_lines(delivery)
    return EXIT_OK


def _batch_lines(batch: Any, stats: Any, warnings: list[Any]) -> list[tuple[str, str]]:
    """What `batches show` says of a batch, one (label, text) a line; '-' for nothing."""
    counts = stats.counts
    ended = f"{_when(batch.completed_at)}"
    if batch.duration_ms is not None:
        ended += f" ({batch.duration_ms / 1000:.1f} s)"
    fmt = batch.format if batch.format == "png" else f"{batch.format}, quality {batch.quality}"
    lines = [
        ("", f"Batch {batch.id}: {batch.status}"),
        ("template", batch.template_uid),
        ("created", _when(batch.created_at)),
        ("started", _when(batch.started_at)),
        ("ended", ended if batch.completed_at else "-"),
        ("items", f"{batch.total_count}: {counts['completed']} completed, {counts['failed']} "
                  f"failed, {counts['cancelled']} cancelled, {counts['pending']} pending"),
        ("rate", "-" if stats.rate_per_s is None else f"{stats.rate_per_s:.1f} items per second"),
    ]
    if not batch.status.ended and stats.eta_s is not None:
        lines.append(("time left", f"{stats.eta_s:.0f} s"))
    failures = ", ".join(f"{code}: {n}" for code, n in stats.failures_by_code.items())
    warned = ", ".join(f"{e.code}: {_count_of(e.count, 'item')}" for e in warnings)
    lines += [
        ("failures", failures or "-"),
        ("warnings", warned or "-"),
        ("format", fmt),
        ("output", batch.output_dir or "-"),
        ("parent", batch.parent_id or "-"),
        ("error", batch.error or "-"),
        ("webhook", _shown_url(batch.webhook_url) if batch.webhook_url else "-"),
    ]
    return lines


def _delivery_lines(delivery: Any) -> None:
    """A webhook delivery, then each attempt on its own line."""
    state = f"{delivery.status}, {len(delivery.attempts)} attempts"
    if delivery.next_attempt_at is not None:
        state += f", next attempt {_when(delivery.next_attempt_at)}"
    _out(f"  delivery {delivery.id} ({delivery.event}): {state}")
    for attempt in delivery.attempts:
        _out(f"    attempt {attempt.number}  {_when(attempt.at)}  {_attempt_answer(attempt)}  "
             f"({attempt.duration_ms} ms)")


def _batches_results(client: Any, args: argparse.Namespace) -> int:
    page = client.templates.get_batch_results(
        args.id, status=args.status, offset=args.offset, limit=args.limit
    )
    if args.json:
        payload = {**page.to_json(), "batch": _batch_json(page.batch)}
        _out(json.dumps(payload, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not page.results:
        _out(f"no {args.status + ' ' if args.status else ''}items")
    for item in page.results:
        _out(f"{item.index:>6}  {item.status:<10}  {_item_detail(item)}")
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
        _out(f"{args.id} has no failed items; nothing to retry")
        return EXIT_OK
    retry = client.batches.retry_failed(args.id)
    _out(f"retrying {retry.total_count} failed items as {retry.id}")
    batch = client.batches.wait(retry.id, progress=True)
    _out(f"{batch.id}: {batch.completed_count} completed, {batch.failed_count} failed")
    _report_webhook(client, batch)
    return EXIT_OK if batch.failed_count == 0 else EXIT_FAILED_ITEMS


def _batches_resume(client: Any, args: argparse.Namespace) -> int:
    resumed = client.batches.resume()
    if not resumed:
        held = client.batches.list(status="processing") + client.batches.list(status="pending")
        for batch in held:
            # resume() leaves alone only batches whose client is alive: say so.
            _out(f"{batch.id}: {batch.status}, {batch.completed_count + batch.failed_count}/"
                 f"{batch.total_count} done; held by another running client, which finishes it")
        if not held:
            _out("no unfinished batches")
        return EXIT_OK
    status = EXIT_OK
    for batch_id in resumed:
        batch = client.batches.wait(batch_id, progress=True)
        counts = f"{batch.completed_count} completed, {batch.failed_count} failed"
        _out(f"{batch.id}: {batch.status}, {counts}")
        _report_webhook(client, batch)
        status = max(status, EXIT_FAILED_ITEMS if batch.failed_count else EXIT_OK)
    return status


def _report_webhook(client: Any, batch: Any) -> None:
    """The webhook outcome of a batch this command ran, after waiting for it."""
    if not batch.webhook_url:
        return
    sys.stdout.flush()
    delivery = _await_delivery(client, batch.id)
    if delivery is not None:
        _out(f"  webhook: {_describe_delivery(delivery)}")


def _batches_cancel(client: Any, args: argparse.Namespace) -> int:
    batch = client.batches.cancel(args.id)
    if batch.status.ended:
        _out(f"{batch.id}: {batch.status}")
    else:
        # Another client runs it: it sees the request within a second and stops.
        _out(f"{batch.id}: cancel requested; the client running it stops it shortly")
    return EXIT_OK


def _batches_redeliver(client: Any, args: argparse.Namespace) -> int:
    delivery = client.batches.redeliver(args.id)
    delivery = _await_delivery(client, args.id, delivery.id)
    _out(f"webhook for {args.id}: delivery {delivery.id} {_describe_delivery(delivery)}")
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


# -- output helpers ----------------------------------------------------


def _when(moment: datetime | None) -> str:
    """A moment as people read it, in UTC to the second; '-' when there is none."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _shown_url(url: str) -> str:
    from pictify_raster.batch.webhooks import display_url

    return display_url(url)


def _batch_json(batch: Any) -> dict[str, Any]:
    """A batch as JSON, its webhook URL without credentials or tokens (DESIGN section 11)."""
    payload = dict(batch.to_json())
    if payload.get("webhookUrl"):
        payload["webhookUrl"] = _shown_url(payload["webhookUrl"])
    return payload


def _delivery_json(delivery: Any) -> dict[str, Any]:
    payload = dict(delivery.to_json())
    payload["url"] = _shown_url(payload["url"])
    return payload
