"""Pillow fonts, measuring and runs (stretches of text drawn in one call)."""
