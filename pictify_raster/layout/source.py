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
    """A parsed YAML document and the 1-based line of each value's path."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        return line_of(self.lines, path)


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
        document = YamlDocument(data=None)
        if root is not None:
            document.data = _Converter(loader, document.lines, file).convert(root, "")
        return document
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        message = f"not valid YAML: {error.problem or error.context}"
        raise LayoutError(message, file=file, line=line) from None
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

    def __init__(self, loader: yaml.SafeLoader, lines: dict[str, int], file: str) -> None:
        self.loader = loader
        self.lines = lines
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


def _parent_path(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""
