"""The code stays clean: ruff and mypy pass on the whole project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "pictify_raster", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_names_are_exported():
    import pictify_raster as px

    for name in ("load_layout", "render", "render_bytes", "evaluate", "Pictify", "verify_signature"):
        assert name in px.__all__ and callable(getattr(px, name))
