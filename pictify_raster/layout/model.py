"""The validated form of a layout file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pictify_raster.errors import ErrorCode, LayoutError
from pictify_raster.expr import Template
from pictify_raster.layout.schema import VariableSpec
from pictify_raster.layout.source import line_of
from pictify_raster.layout.values import (
    Props,
    Value,
    props_are_static,
    props_names,
    props_values,
)


@dataclass(frozen=True)
class Element:
    """One layer: its type, where it sits in the file, and its values.

    ``box`` is ``[x, y, w, h]`` at the top level; inside a group it is the
    optional ``size: [w, h]`` and the group places the element.
    """

    kind: str
    path: str
    props: Props
    box: Value | None = None
    children: tuple[Element, ...] = ()

    @property
    def is_static(self) -> bool:
        """True when nothing about this element depends on the row."""
        box_static = self.box is None or self.box.is_static
        return (
            box_static
            and props_are_static(self.props)
            and all(child.is_static for child in self.children)
        )

    @property
    def names(self) -> frozenset[str]:
        names = props_names(self.props) | (self.box.names if self.box else frozenset())
        for child in self.children:
            names |= child.names
        return names

    def own_values(self) -> list[Value]:
        """The values of this element, its box included, but not its children's."""
        found = props_values(self.props)
        if self.box is not None:
            found.append(self.box)
        return found

    def walk(self) -> list[Element]:
        """This element and all it contains, depth first."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


@dataclass(frozen=True)
class Layout:
    """A loaded, validated template (DESIGN section 2)."""

    uid: str
    name: str
    path: Path
    source: str
    size: tuple[int, int]
    background: Value
    layers: tuple[Element, ...]
    variables: dict[str, VariableSpec] = field(default_factory=dict)
    fonts: tuple[Path, ...] = ()
    font_fallbacks: tuple[str, ...] = ()
    locale: str | None = None
    output_format: str | None = None
    output_quality: int = 90
    output_filename: Template | None = None
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def base_dir(self) -> Path:
        """Relative image and font paths resolve against the layout's folder."""
        return self.path.parent

    @property
    def names(self) -> frozenset[str]:
        """Every variable name the layout's expressions use."""
        names: frozenset[str] = self.background.names
        for layer in self.layers:
            names |= layer.names
        if self.output_filename is not None:
            names |= self.output_filename.names
        return names

    def elements(self) -> list[Element]:
        found: list[Element] = []
        for layer in self.layers:
            found.extend(layer.walk())
        return found

    def error(self, message: str, path: str, code: ErrorCode | None = None) -> LayoutError:
        """A LayoutError pointing at ``path`` in this layout's file."""
        return LayoutError(
            message, path=path, file=str(self.path), line=line_of(self.lines, path), code=code
        )

    def describe(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "name": self.name,
            "size": list(self.size),
            "variables": sorted(self.variables),
            "layers": len(self.layers),
        }
