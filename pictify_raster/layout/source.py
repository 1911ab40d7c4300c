"""Reading a layout's YAML safely, keeping the line of every value.

PyYAML's safe loader builds plain dicts and lists but forgets where each value
came from. We compose the node tree ourselves and convert it, recording the
line of every path, so that a refused value can be pointed at in the file.
The conversion also bounds the work: an alias bomb ("billion laughs") would
expand into millions of nodes, and we stop long before that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from pictify_raster.errors import LayoutError

#: A layout file larger than this is refused before parsing.
MAX_LAYOUT_BYTES = 1_000_000

#: Values (after alias expansion) a layout may hold; far above any real layout.
MAX_NODES = 100_000


@dataclass
class YamlDocument:
    """A parsed YAML document and the 1-based line of each value's path.

    ``scalars`` keeps the node of each scalar, and ``text`` the file, so that
    a fault inside a string (an expression's syntax error) can be placed at
    its line and column in the file.
    """

    data: Any
    lines: dict[str, int] = field(default_factory=dict)
    text: str = ""
    scalars: dict[str, yaml.ScalarNode] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        return line_of(self.lines, path)

    def position_of(self, path: str, offset: int) -> tuple[int, int] | None:
        """The 1-based line and column in the file of character ``offset`` of
        the string at ``path``; None when that cannot be known exactly."""
        node = self.scalars.get(path)
        if node is None or not isinstance(node.value, str):
            return None
        if not 0 <= offset <= len(node.value):
            return None
        if node.style == "|":
            return _literal_block_position(node, self.text, offset)
        return _one_line_position(node, self.text, offset)


def line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of ``path``, or of the nearest enclosing value that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = _parent_path(path)
    return lines.get("")


def read_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document from ``text`` with the safe loader."""
    if len(text.encode("utf-8", errors="replace")) > MAX_LAYOUT_BYTES:
        message = f"the file is larger than {MAX_LAYOUT_BYTES:,} bytes"
        raise LayoutError(message, file=file)

    loader = _LayoutLoader(text)
    try:
        root = loader.get_single_node()
        document = YamlDocument(data=None, text=text)
        if root is not None:
            converter = _Converter(loader, document, file)
            document.data = converter.convert(root, "")
        return document
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = f"not valid YAML: {error.problem or error.context}"
        opened = error.context_mark
        if error.context and opened is not None and (mark is None or opened.line != mark.line):
            # "while parsing a flow sequence" started elsewhere: say where, it is the fault.
            message += f" ({error.context} at line {opened.line + 1}, column {opened.column + 1})"
        raise LayoutError(message, file=file, line=line, column=column) from None
    except yaml.YAMLError as error:
        msg = f"not valid YAML: {error}"
        raise LayoutError(msg, file=file) from None
    finally:
        loader.dispose()


class _LayoutLoader(yaml.SafeLoader):
    """The safe loader, reading booleans as YAML 1.2 does: only true and false.

    YAML 1.1 also reads yes, no, on, off, y and n as booleans, so that
    ``content: no`` would draw "false" and a country code NO would vanish.
    """


_LayoutLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_LayoutLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Converter:
    """Turns composed YAML nodes into Python values, counting them as it goes."""

    def __init__(self, loader: yaml.SafeLoader, document: YamlDocument, file: str) -> None:
        self.loader = loader
        self.lines = document.lines
        self.scalars = document.scalars
        self.file = file
        self.count = 0

    def convert(self, node: yaml.Node, path: str) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            message = f"the document expands to more than {MAX_NODES:,} values (alias bomb?)"
            raise LayoutError(message, file=self.file)

        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            self.scalars.setdefault(path, node)
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Any]:
        self.loader.flatten_mapping(node)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                key_line = key_node.start_mark.line + 1
                message = f"keys must be text, got {key!r}"
                raise LayoutError(message, path=path, file=self.file, line=key_line)
            child = f"{path}.{key}" if path else key
            if key in result:
                key_line = key_node.start_mark.line + 1
                message = f"the key {key!r} appears twice"
                raise LayoutError(message, path=child, file=self.file, line=key_line)
            result[key] = self.convert(value_node, child)
        return result


# -- where a character of a string sits in the file ----------------------

#: Characters that end a line for YAML (and so for a Mark's line count).
_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

#: Hexadecimal digits after the escapes of double-quoted scalars that take them.
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _one_line_position(node: yaml.ScalarNode, text: str, offset: int) -> tuple[int, int] | None:
    """Plain and quoted scalars written on one line: map through the escapes.

    A value folded over several lines, or any mapping that does not give back
    the value YAML read, is left unplaced rather than placed wrongly.
    """
    raw = text[node.start_mark.index : node.end_mark.index]
    if _LINE_BREAK.search(raw):
        return None
    quoted = node.style in ("'", '"')
    body = raw[1:-1] if quoted else raw
    if node.style == '"':
        offsets = _double_quoted_offsets(body)
    elif node.style == "'":
        offsets = _single_quoted_offsets(body)
    elif node.style is None:
        offsets = list(range(len(body)))
    else:
        return None
    if not _offsets_match(body, offsets, node.value):
        return None
    at = offsets[offset] if offset < len(offsets) else len(body)
    return node.start_mark.line + 1, node.start_mark.column + int(quoted) + at + 1


def _double_quoted_offsets(body: str) -> list[int]:
    """For each character of the value, where it starts in the quoted text."""
    offsets: list[int] = []
    index = 0
    while index < len(body):
        offsets.append(index)
        if body[index] == "\\":
            index += 2 + _HEX_ESCAPES.get(body[index + 1 : index + 2], 0)
        else:
            index += 1
    return offsets


def _single_quoted_offsets(body: str) -> list[int]:
    """In single quotes the only escape is '' for one quote."""
    offsets: list[int] = []
    index = 0
    while index < len(body):
        offsets.append(index)
        index += 2 if body.startswith("''", index) else 1
    return offsets


def _offsets_match(body: str, offsets: list[int], value: str) -> bool:
    """The offsets give back the value: one per character, literal ones equal."""
    if len(offsets) != len(value):
        return False
    return all(
        body[at] == char for at, char in zip(offsets, value, strict=True) if body[at] != "\\"
    )


def _literal_block_position(
    node: yaml.ScalarNode, text: str, offset: int
) -> tuple[int, int] | None:
    """A ``|`` block keeps its lines: line k of the value is line k after the header."""
    value = node.value
    row = value.count("\n", 0, offset)
    start = value.rfind("\n", 0, offset) + 1
    end = value.find("\n", offset)
    content = value[start : end if end >= 0 else len(value)]
    lines = _LINE_BREAK.split(text)
    index = node.start_mark.line + 1 + row
    if index >= len(lines):
        return None
    line = lines[index]
    indent = len(line) - len(content)
    # Only the block's indentation may stand before the value's line.
    if indent < 0 or line[indent:] != content or line[:indent].strip(" "):
        return None
    return index + 1, indent + (offset - start) + 1


def _parent_path(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""
