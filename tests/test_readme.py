"""The README's examples work: its layout loads, so it cannot silently rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pictify_raster as px

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_layout() -> str:
    """The YAML block under "## Layouts in brief"."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^## Layouts in brief\n+```yaml\n(.*?)^```", text, re.S | re.M)
    assert found is not None, "README.md has no yaml block under '## Layouts in brief'"
    return found.group(1)


def test_the_layout_in_brief_loads(tmp_path: Path) -> None:
    path = tmp_path / "readme_card.yaml"
    path.write_text(readme_layout(), encoding="utf-8")
    layout = px.load_layout(path)
    assert layout.uid == "tmpl_blog_card"
    # Every name its expressions use is declared, as the loader requires.
    assert layout.names <= set(layout.variables)
    assert [layer.kind for layer in layout.layers] == ["rect", "text", "image", "qr", "group"]


def test_the_layout_in_brief_renders_a_row(tmp_path: Path) -> None:
    path = tmp_path / "readme_card.yaml"
    path.write_text(readme_layout(), encoding="utf-8")
    assert px.render(path, {"title": "Hello", "slug": "hello"}).size == (1200, 630)
    with pytest.raises(px.VariableError) as caught:
        px.render(path, {"title": "Hello"})
    assert caught.value.field == "slug"
