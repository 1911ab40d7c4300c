"""Loading a layout file into a validated Layout.

Everything that can be checked without a row is checked here, so that a bad
template is refused once, with the place in the file, instead of failing
every item of a batch.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pictify_raster.errors import ErrorCode, ExpressionError, LayoutError, caret_lines
from pictify_raster.expr import VARIABLE_TYPES, Template, compile_template
from pictify_raster.layout import convert as c
from pictify_raster.layout.model import Element, Layout
from pictify_raster.layout.schema import (
    ELEMENTS,
    LAYOUT_KEYS,
    OUTPUT,
    VARIABLE_KEYS,
    Field,
    Nested,
    VariableSpec,
)
from pictify_raster.layout.source import YamlDocument, read_yaml
from pictify_raster.layout.values import Props, Value, make_value, resolve_props

logger = logging.getLogger(__name__)

MAX_LAYERS = 500
MAX_CANVAS_PIXELS = 40_000_000
_UID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def load_layout(path: str | Path) -> Layout:
    """Read and validate the layout file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = "no such layout file"
        raise LayoutError(msg, file=str(file)) from None
    except (OSError, UnicodeDecodeError) as error:
        msg = f"cannot read the layout: {error}"
        raise LayoutError(msg, file=str(file)) from None
    return parse_layout(text, path=file)


def parse_layout(text: str, *, path: str | Path) -> Layout:
    """Validate layout YAML ``text``; ``path`` locates it (relative assets, messages)."""
    file = Path(path).resolve()
    document = read_yaml(text, str(file))
    return _LayoutBuilder(document, file, text).build()


class _LayoutBuilder:
    """Walks one parsed document against the schema, failing at the first fault."""

    def __init__(self, document: YamlDocument, file: Path, text: str) -> None:
        self.document = document
        self.file = file
        self.text = text
        self.locale: str | None = None

    def fail(
        self, message: str, path: str, code: ErrorCode | None = None, detail: str = ""
    ) -> LayoutError:
        return LayoutError(
            message,
            path=path,
            file=str(self.file),
            line=self.document.line_of(path),
            code=code,
            detail=detail,
        )

    def build(self) -> Layout:
        data = self.document.data
        if not isinstance(data, dict):
            msg = "a layout is a mapping with size and layers"
            raise self.fail(msg, "")
        self._refuse_unknown(data, LAYOUT_KEYS, "")
        for key in ("size", "layers"):
            if key not in data:
                msg = f"the layout needs {key!r}"
                raise self.fail(msg, "")

        self.locale = self._locale(data.get("locale"))
        variables = self._variables(data.get("variables"))
        layers = self._layers(data["layers"], "layers", in_group=False)
        output = self._props(data.get("output") or {}, OUTPUT.fields, "output")
        filename = self._filename(data.get("output") or {})
        layout = Layout(
            uid=self._uid(data),
            name=str(data.get("name") or self.file.stem),
            path=self.file,
            source=self.text,
            size=self._size(data["size"]),
            background=self._value(data.get("background"), c.paint, "background"),
            layers=layers,
            variables=variables,
            fonts=self._fonts(data.get("fonts")),
            font_fallbacks=self._convert(
                data.get("font_fallbacks", []), c.string_list, "font_fallbacks"
            ),
            locale=self.locale,
            output_format=self._static(output["format"]),
            output_quality=self._static(output["quality"]),
            output_filename=filename,
            lines=self.document.lines,
        )
        if variables:
            self._check_declared(layout)
        return layout

    # -- top-level keys -------------------------------------------------

    def _uid(self, data: dict[str, Any]) -> str:
        uid = data.get("uid") or f"tmpl_{re.sub(r'[^A-Za-z0-9_]', '_', self.file.stem)}"
        if not isinstance(uid, str) or not _UID_PATTERN.match(uid):
            message = f"a uid is 1 to 64 letters, digits, '_', '-' or '.'; got {uid!r}"
            raise self.fail(message, "uid")
        return uid

    def _size(self, raw: Any) -> tuple[int, int]:
        width, height = self._convert(raw, c.size_pair, "size")
        if width < 1 or height < 1 or width != int(width) or height != int(height):
            msg = f"the size is two whole numbers of 1 or more, got {raw!r}"
            raise self.fail(msg, "size")
        if width * height > MAX_CANVAS_PIXELS:
            message = f"{int(width)}x{int(height)} is above the {MAX_CANVAS_PIXELS:,}-pixel limit"
            raise self.fail(message, "size")
        return int(width), int(height)

    def _fonts(self, raw: Any) -> tuple[Path, ...]:
        if raw is None:
            return ()
        names = self._convert(raw, c.string_list, "fonts")
        fonts = []
        for index, name in enumerate(names):
            font = (self.file.parent / name).resolve()
            if not font.is_file():
                msg = f"no font file {name!r} beside the layout"
                raise self.fail(msg, f"fonts[{index}]")
            fonts.append(font)
        return tuple(fonts)

    def _locale(self, raw: Any) -> str | None:
        if raw is None:
            return None
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(str(raw).replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            msg = f"unknown locale {raw!r}"
            raise self.fail(msg, "locale") from None
        return str(raw).replace("-", "_")

    def _filename(self, output: Any) -> Template | None:
        raw = output.get("filename") if isinstance(output, dict) else None
        if raw is None:
            return None
        try:
            return compile_template(str(raw))
        except ExpressionError as error:
            raise self._expression_error(error, "output.filename") from None

    # -- variables ------------------------------------------------------

    def _variables(self, raw: Any) -> dict[str, VariableSpec]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            msg = f"variables is a mapping of names, got {c.describe(raw)}"
            raise self.fail(msg, "variables")
        return {name: self._variable(name, spec, f"variables.{name}") for name, spec in raw.items()}

    def _variable(self, name: str, spec: Any, path: str) -> VariableSpec:
        if not _NAME_PATTERN.match(name):
            msg = f"a variable name is a letter then letters, digits or '_'; got {name!r}"
            raise self.fail(msg, path)
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            msg = f"expected a mapping such as {{type: string}}, got {c.describe(spec)}"
            raise self.fail(msg, path)
        self._refuse_unknown(spec, VARIABLE_KEYS, path)

        kind = spec.get("type", "string")
        if kind not in VARIABLE_TYPES:
            allowed = ", ".join(sorted(VARIABLE_TYPES))
            msg = f"unknown type {kind!r}; the types are {allowed}"
            raise self.fail(msg, f"{path}.type")
        choices = spec.get("choices")
        if choices is not None and not isinstance(choices, list):
            msg = f"choices is a list, got {c.describe(choices)}"
            raise self.fail(msg, f"{path}.choices")
        return VariableSpec(
            name=name,
            type=kind,
            required=self._convert(spec.get("required", False), c.boolean, f"{path}.required"),
            default=spec.get("default"),
            max_length=self._optional(
                spec.get("max_length"), c.positive_whole, f"{path}.max_length"
            ),
            minimum=self._optional(spec.get("min"), c.number, f"{path}.min"),
            maximum=self._optional(spec.get("max"), c.number, f"{path}.max"),
            choices=tuple(choices) if choices is not None else None,
            description=str(spec.get("description", "")),
            path=path,
        )

    def _check_declared(self, layout: Layout) -> None:
        """With a variables section, every name an expression uses must be declared."""
        declared = set(layout.variables)
        for element in layout.elements():
            # Each value on its own, so that the path names the very value.
            for value in element.own_values():
                for name in sorted(value.names - declared):
                    raise self._undeclared(name, declared, value.path, value.use_of(name))
        for name in sorted(layout.background.names - declared):
            raise self._undeclared(name, declared, "background", layout.background.use_of(name))
        if layout.output_filename is not None:
            filename = layout.output_filename
            for name in sorted(filename.names - declared):
                use = _template_use(filename, name, "output.filename")
                raise self._undeclared(name, declared, "output.filename", use)

    def _undeclared(
        self, name: str, declared: set[str], path: str, use: tuple[str, str, int] | None
    ) -> LayoutError:
        """Refuse an undeclared name, with the place in the file where it is read."""
        message = f"the expression uses {name!r}, which is not declared under variables"
        close = difflib.get_close_matches(name, sorted(declared), n=1)
        if close:
            message += f"; did you mean {close[0]!r}?"
        if use is None:
            return self.fail(message, path, code=ErrorCode.EXPRESSION_ERROR)
        where, text, offset = use
        return self._located(message, where, text, offset)

    # -- layers ---------------------------------------------------------

    def _layers(self, raw: Any, path: str, *, in_group: bool) -> tuple[Element, ...]:
        if not isinstance(raw, list):
            msg = f"layers is a list of elements, got {c.describe(raw)}"
            raise self.fail(msg, path)
        if len(raw) > MAX_LAYERS:
            msg = f"at most {MAX_LAYERS} layers, got {len(raw)}"
            raise self.fail(msg, path)
        return tuple(self._element(item, f"{path}[{i}]", in_group) for i, item in enumerate(raw))

    def _element(self, raw: Any, path: str, in_group: bool) -> Element:
        if not isinstance(raw, dict):
            msg = f"an element is a mapping with a type, got {c.describe(raw)}"
            raise self.fail(msg, path)
        kind = raw.get("type")
        if kind not in ELEMENTS:
            allowed = ", ".join(ELEMENTS)
            msg = f"unknown element type {kind!r}; the types are {allowed}"
            raise self.fail(msg, f"{path}.type")
        schema = ELEMENTS[kind]
        if in_group and not schema.in_groups:
            msg = f"a {kind} cannot be placed inside a group"
            raise self.fail(msg, path)

        box_key = "size" if in_group else "box"
        allowed_keys = set(schema.fields) | {"type"}
        if schema.box:
            allowed_keys.add(box_key)
        if schema.children:
            allowed_keys.add("layers")
        if in_group and "box" in raw:
            msg = "inside a group, give size: [w, h]; the group places its children"
            raise self.fail(msg, f"{path}.box")
        self._refuse_unknown(raw, frozenset(allowed_keys), path)

        values = {
            key: value for key, value in raw.items() if key not in {"type", "layers", box_key}
        }
        props = self._props(values, schema.fields, path)
        box = self._box(raw.get(box_key), kind, path, box_key, in_group) if schema.box else None
        children: tuple[Element, ...] = ()
        if schema.children:
            children = self._layers(raw.get("layers", []), f"{path}.layers", in_group=True)
        return Element(kind=kind, path=path, props=props, box=box, children=children)

    def _box(self, raw: Any, kind: str, path: str, key: str, in_group: bool) -> Value | None:
        where = f"{path}.{key}"
        if kind == "group":
            # A group sizes itself; it is placed by [x, y] and may be given a fixed size.
            if raw is None:
                if in_group:
                    return None
                msg = "a group needs box: [x, y] or [x, y, w, h]"
                raise self.fail(msg, where)
            return self._value(raw, _group_box(in_group), where)
        if raw is None:
            if in_group and kind == "text":
                return None
            msg = f"a {kind} needs {key}: {_BOX_HINT[key]}"
            raise self.fail(msg, where)
        return self._value(raw, c.size_pair if in_group else c.box, where)

    def _props(self, raw: dict[str, Any], fields: Mapping[str, Field | Nested], path: str) -> Props:
        props: Props = {}
        for key, spec in fields.items():
            where = f"{path}.{key}"
            if isinstance(spec, Nested):
                props[key] = self._nested(raw.get(key), spec, where)
                continue
            if key not in raw or raw[key] is None:
                if spec.required:
                    msg = f"{key!r} is required"
                    raise self.fail(msg, where if key in raw else path)
                default = None if spec.default is None else spec.convert(spec.default)
                props[key] = Value(path=where, convert=spec.convert, constant=default)
                continue
            props[key] = self._value(raw[key], spec.convert, where)
        return props

    def _nested(self, raw: Any, spec: Nested, path: str) -> Props | Value:
        if raw is None and spec.optional:
            return Value(path=path, convert=lambda v: v, constant=None)
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            keys = ", ".join(spec.fields)
            msg = f"expected a mapping with {keys}; got {c.describe(raw)}"
            raise self.fail(msg, path)
        self._refuse_unknown(raw, frozenset(spec.fields), path)
        return self._props(raw, spec.fields, path)

    # -- values ---------------------------------------------------------

    def _value(self, raw: Any, convert: c.Converter, path: str) -> Value:
        try:
            return make_value(raw, convert, path, self.locale)
        except ExpressionError as error:
            raise self._expression_error(error, path) from None
        except c.FieldError as error:
            where = path + (
                ""
                if not error.subpath
                else ("" if error.subpath.startswith("[") else ".") + error.subpath
            )
            raise self.fail(str(error), where) from None

    def _convert(self, raw: Any, convert: c.Converter, path: str) -> Any:
        try:
            return convert(raw)
        except c.FieldError as error:
            raise self.fail(str(error), path + error.subpath) from None

    def _optional(self, raw: Any, convert: c.Converter, path: str) -> Any:
        return None if raw is None else self._convert(raw, convert, path)

    def _expression_error(self, error: ExpressionError, path: str) -> LayoutError:
        """Refuse an expression, placed at the line and column of its fault in the file."""
        where = error.field or path  # the very string, inside a list or mapping value
        if error.reason is not None:
            message = f"the expression does not parse: {error.reason}"
        else:  # an expression without variables is evaluated at load, and failed
            message = f"the expression fails: {error.message}"
        return self._located(message, where, error.source, error.column)

    def _located(
        self, message: str, where: str, source: str | None, offset: int | None
    ) -> LayoutError:
        """A LayoutError at the file's line and column of character ``offset`` of
        the string at ``where`` (whose text is ``source``), with a caret under it."""
        line, column, detail = self.document.line_of(where), None, ""
        if source is not None and offset is not None:
            detail = caret_lines(source, offset)
            position = self.document.position_of(where, offset)
            if position is not None:
                line, column = position
            else:
                message += f" ({_place_in_value(source, offset)})"
        return LayoutError(
            message,
            path=where,
            file=str(self.file),
            line=line,
            column=column,
            code=ErrorCode.EXPRESSION_ERROR,
            detail=detail,
        )

    def _static(self, item: Value | Props) -> Any:
        assert isinstance(item, Value)
        if not item.is_static:
            msg = "this value is chosen once per batch and cannot use an expression"
            raise self.fail(msg, item.path)
        return item.constant

    def _refuse_unknown(self, raw: dict[str, Any], allowed: frozenset[str], path: str) -> None:
        for key in raw:
            if key in allowed:
                continue
            where = f"{path}.{key}" if path else key
            message = f"unknown key {key!r}"
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            if close:
                message += f"; did you mean {close[0]!r}?"
            raise self.fail(message, where)


_BOX_HINT = {"box": "[x, y, width, height]", "size": "[width, height]"}


def _template_use(template: Template, name: str, path: str) -> tuple[str, str, int] | None:
    for expression in template.expressions:
        column = expression.position_of(name)
        if column is not None:
            return path, expression.text, column
    return None


def _place_in_value(text: str, offset: int) -> str:
    """Where ``offset`` falls in a value whose column in the file is not known.

    Folded and multi-line values change their text as YAML reads them, so the
    fault is placed within the value instead (1-based, as file columns are);
    the line reported is then the line the value starts on.
    """
    row = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    if row:
        return f"at line {row + 1}, column {column} within the value"
    return f"at column {column} within the value"


def _group_box(in_group: bool) -> c.Converter:
    def convert(value: Any) -> tuple[float, ...]:
        if in_group:
            return c.size_pair(value)
        if isinstance(value, list) and len(value) == 2:
            return c.point(value)
        return c.box(value)

    return convert


__all__ = ["load_layout", "parse_layout", "resolve_props"]
