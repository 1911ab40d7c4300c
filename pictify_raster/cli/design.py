"""The commands of design work: ``preview``, ``validate``, ``eval`` and ``fonts``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pictify_raster.cli.options import parse_vars
from pictify_raster.cli.output import EXIT_ERROR, EXIT_FAILED_ITEMS, EXIT_OK, out, print_error
from pictify_raster.errors import ItemError, LayoutError, PictifyError, UnreadableRow


def register(commands: Any) -> None:
    """``preview``, ``validate``, ``eval`` and ``fonts``: the commands of design work."""
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
    variables.update(parse_vars(args.var, typed=False))
    renderer = Renderer(layout)
    try:
        result = renderer.render(variables)
        data = renderer.encode(result.image, image_format, layout.output_quality)
    except ItemError as error:
        print_error(f"{error.code}: {error.message}")
        return EXIT_FAILED_ITEMS
    for warning in result.warnings:
        sys.stderr.write(f"pictify-raster: warning: {warning.code}: {warning.message}\n")
    _write_file(args.output, data)
    out(f"wrote {args.output} ({len(data):,} bytes)")
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
            out(f"{path}: invalid\n  {error}")
            status = EXIT_ERROR
            continue
        names = ", ".join(sorted(layout.variables) or sorted(layout.names)) or "none"
        out(
            f"{path}: ok ({layout.uid}, {layout.size[0]}x{layout.size[1]}, "
            f"{len(layout.layers)} layers; variables: {names})"
        )
    return status


def _eval(args: argparse.Namespace) -> int:
    from pictify_raster.expr import evaluate

    try:
        value = evaluate(args.expression, parse_vars(args.var), locale=args.locale)
    except ItemError as error:
        print_error(f"{error.code}: {error.message}")
        caret = getattr(error, "caret_lines", lambda: "")()
        if caret:
            sys.stderr.write(caret + "\n")
        return EXIT_FAILED_ITEMS
    out(json.dumps(value, ensure_ascii=False, default=str))
    return EXIT_OK


def _fonts(args: argparse.Namespace) -> int:
    from pictify_raster.text import default_registry, describe_fonts, shaping_available

    for row in describe_fonts(default_registry()):
        out(_font_line(row))
    if not shaping_available():
        out(
            "\nText shaping (libraqm) is NOT available: Arabic, Indic and right-to-left text "
            "render with a TEXT_SHAPING_UNAVAILABLE warning."
        )
    out(
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
