"""The ``pictify-raster`` command line (DESIGN section 7).

Exit status: 0 when every item completed, 1 when some failed, 2 when the
command could not run (a missing file, a bad layout, bad data).

| module | commands |
| --- | --- |
| `render.py` | `render`: a batch, its summary and contact sheet |
| `design.py` | `preview`, `validate`, `eval`, `fonts` |
| `batches.py` | `batches list / show / results / retry / resume / cancel / redeliver` |
| `webhooks.py` | waiting for a batch's webhook and saying how it went |
| `options.py`, `output.py` | shared options and the client; exit codes and printing |
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pictify_raster.cli import batches, design, render
from pictify_raster.cli.output import EXIT_ERROR, EXIT_OK, print_error
from pictify_raster.errors import PictifyError

logger = logging.getLogger(__name__)

__all__ = ["main"]


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
        print_error(_describe_error(error))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print_error("interrupted; unfinished batches resume with 'pictify-raster batches resume'")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pictify-raster",
        description="Render images from YAML layouts in bulk, without a browser.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log what happens, for debugging"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    render.register(commands)
    design.register(commands)
    batches.register(commands)
    return parser
