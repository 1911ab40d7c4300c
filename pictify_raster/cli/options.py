"""Options several commands share, their value types, and the client they describe."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

from pictify_raster.errors import PictifyError


def client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", type=Path, default=Path("pictify-data"), help="store folder")
    parser.add_argument("--workers", type=int, help="worker processes (default: one per core)")
    parser.add_argument(
        "--item-timeout", type=seconds, default=30.0, help="seconds per item (default 30)"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="render on a Dask cluster (tcp://host:8786); needs the dask extra",
    )
    parser.add_argument(
        "--image-timeout",
        type=seconds,
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


def webhook_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook-retries",
        type=count,
        default=5,
        metavar="N",
        help="retries of a webhook the receiver did not accept, 1, 2, 4... s apart (default 5)",
    )


def quality(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 100:
        msg = f"quality is a whole number from 1 to 100, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"expected a whole number, 0 or more, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def seconds(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        msg = f"expected a number of seconds above 0, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def parse_vars(pairs: list[str], *, typed: bool = True) -> dict[str, Any]:
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


def make_client(args: argparse.Namespace, *, read_only: bool = False) -> Any:
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
