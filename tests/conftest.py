"""Shared fixtures: layout files written into a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"


@pytest.fixture
def write_layout(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML (dedented) to a layout file and return its path."""

    def write(text: str, name: str = "layout.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
