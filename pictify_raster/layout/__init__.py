"""Layout files: YAML in, a validated Layout out (DESIGN section 2)."""

from pictify_raster.layout.convert import RGBA, LinearGradient, Paint
from pictify_raster.layout.loader import load_layout, parse_layout
from pictify_raster.layout.model import Element, Layout
from pictify_raster.layout.schema import VariableSpec
from pictify_raster.layout.values import Scope, Value, locate_error, resolve_props
from pictify_raster.layout.variables import prepare_row

__all__ = [
    "RGBA",
    "Element",
    "Layout",
    "LinearGradient",
    "Paint",
    "Scope",
    "Value",
    "VariableSpec",
    "load_layout",
    "locate_error",
    "parse_layout",
    "prepare_row",
    "resolve_props",
]
